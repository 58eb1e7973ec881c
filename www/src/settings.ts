import type { KisEnv } from "kis-wasm";

export interface Settings {
  env: KisEnv;
  proxyUrl: string;
  appKey: string;
  appSecret: string;
  account: string;
  remember: boolean;
}

/** What the server that hosts the page says (demo: embedded mock, or a proxy holding the keys). */
export interface HostConfig {
  env?: KisEnv;
  proxyUrl?: string;
  account?: string;
  held?: boolean;
  rateLimitPerSec?: number;
}

const KEY = "kis-dashboard-settings";

export async function hostConfig(): Promise<HostConfig> {
  try {
    const r = await fetch("/config.json");
    return r.ok ? ((await r.json()) as HostConfig) : {};
  } catch {
    return {};
  }
}

/** Secrets stay in memory unless the user opted into this tab's sessionStorage. */
export function stored(): Partial<Settings> {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? "{}") as Partial<Settings>;
  } catch {
    return {};
  }
}

export function remember(s: Settings): void {
  if (s.remember) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

export function fill(form: HTMLFormElement, s: Partial<Settings>): void {
  for (const [name, value] of Object.entries(s)) {
    const input = form.elements.namedItem(name);
    if (input instanceof HTMLInputElement && input.type === "checkbox") input.checked = Boolean(value);
    else if (input instanceof HTMLInputElement || input instanceof HTMLSelectElement) input.value = String(value ?? "");
  }
}

export function read(form: HTMLFormElement): Settings {
  const data = new FormData(form);
  const text = (k: string) => String(data.get(k) ?? "").trim();
  return {
    env: text("env") === "real" ? "real" : "mock",
    proxyUrl: text("proxyUrl"),
    appKey: text("appKey"),
    appSecret: text("appSecret"),
    account: text("account"),
    remember: data.get("remember") === "on",
  };
}
