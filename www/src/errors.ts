import { isKisError } from "kis-wasm";
import { kstClock } from "./dom.js";

/** A KisError's kind ("orderStatusUnknown", …), or "" for any other failure. */
export function kindOf(e: unknown): string {
  return typeof e === "object" && e !== null && "kind" in e ? String(e.kind) : "";
}

/** What became of `what` ("Order", "Modification of 0000000001"), and when, in full: kept under
 *  the order form, since the error bar goes with a click. */
export function failedNow(what: string, e: unknown): string {
  const kind = kindOf(e);
  return `${what} failed${kind ? ` (${kind})` : ""} at ${kstClock()} KST: ${describe(e)}`;
}

/** A message a person can act on, for each kind of failure. */
export function describe(e: unknown): string {
  if (!isKisError(e)) return e instanceof Error ? e.message : String(e);
  switch (e.kind) {
    case "validation":
      return `Check ${e.field ?? "the input"}: ${e.message}`;
    case "rateLimited":
      return `KIS rate limit: try again in ${Math.ceil((e.retryAfterMs ?? 1000) / 1000)} s (${e.msgCd ?? "EGW00201"}).`;
    case "tokenRejected":
      return "KIS rejected the access token even after a refresh: check the app key and secret.";
    case "orderStatusUnknown":
      // The client's own words say it all: which it was (order, cancel, modification), what its
      // lookup saw, and which list to check before sending it again.
      return sentence(e.message);
    case "network":
      return "Cannot reach the proxy or KIS (network). Is the proxy running?";
    case "timeout":
      return "KIS did not answer in time.";
    case "api":
      return `KIS refused: ${e.msgCd ?? ""} ${e.msg1 ?? e.message}`.trim();
    case "http":
      return `KIS answered HTTP ${e.status ?? "?"} ${e.trId ? `(${e.trId})` : ""}`.trim();
    case "decode":
      return "KIS sent an answer that could not be read.";
  }
}

/** `text` as a sentence: capitalised, with its full stop. */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}
