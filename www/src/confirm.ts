import type { KisEnv } from "kis-wasm";
import { $, envLabel } from "./dom.js";

/** The confirmation every order and every change to one goes through before anything is sent:
 *  the environment in large letters, what will be sent, the button saying what it does, and a
 *  warning when there is one. True when the user pressed it. */
export async function confirmSend(env: KisEnv, text: string, action: string, warning = ""): Promise<boolean> {
  const dialog = $<HTMLDialogElement>("#confirm");
  const envLine = $("#confirm-env");
  envLine.textContent = envLabel(env);
  envLine.className = `confirm-env ${env}`;
  $("#confirm-text").textContent = text;
  $("#confirm-ok").textContent = action;
  const warn = $("#confirm-warning");
  warn.textContent = warning;
  warn.hidden = !warning;
  dialog.returnValue = "";
  dialog.showModal();
  const answer = await new Promise<string>((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue), { once: true }));
  return answer === "ok";
}
