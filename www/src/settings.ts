import { localStorageTokenStore, type KisEnv, type StoredToken, type TokenStore } from "kis-wasm";

export interface Settings {
  env: KisEnv;
  proxyUrl: string;
  appKey: string;
  appSecret: string;
  account: string;
  /** The HTS ID the app key was issued to: realtime fill notices are subscribed by it. */
  htsId: string;
  remember: boolean;
}

/** What the server that hosts the page says (demo: embedded mock, or a proxy holding the keys). */
export interface HostConfig {
  env?: KisEnv;
  proxyUrl?: string;
  account?: string;
  htsId?: string;
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

/** The page's tokens: in memory, so that connecting again within the minute reuses the token
 *  rather than asking KIS for a second one, which KIS refuses (EGW00133) and which would stop
 *  every call for that minute; and in this tab's sessionStorage as well while the user has
 *  opted in there, so that a reload reuses it too. */
const tokens = new Map<string, StoredToken>();
const TOKEN_PREFIX = "kis-wasm:";
let rememberTokens = false;

const tab = localStorageTokenStore(sessionStorage);

export const tokenStore: TokenStore = {
  get: (key) => tokens.get(key) ?? (rememberTokens ? tab.get(key) : null),
  set(key, token) {
    tokens.set(key, token);
    if (rememberTokens) return tab.set(key, token);
  },
};

export function remember(s: Settings): void {
  rememberTokens = s.remember;
  if (s.remember) {
    sessionStorage.setItem(KEY, JSON.stringify(s));
    for (const [key, token] of tokens) void tab.set(key, token);
  } else {
    sessionStorage.removeItem(KEY);
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(TOKEN_PREFIX)) sessionStorage.removeItem(key);
  }
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
    htsId: text("htsId"),
    remember: data.get("remember") === "on",
  };
}
