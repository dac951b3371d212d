/** Build-time settings (Vite env). Read here only, so every other module gets typed values. */
export type AuthMode = "dev" | "entra";

function trimSlash(value: string): string {
  return value.endsWith("/") ? value.slice(0, -1) : value;
}

export const config = {
  apiBaseUrl: trimSlash(import.meta.env.VITE_API_BASE_URL ?? ""),
  authMode: (import.meta.env.VITE_AUTH_MODE === "entra" ? "entra" : "dev") as AuthMode,
  entra: {
    authority: import.meta.env.VITE_ENTRA_AUTHORITY ?? "",
    clientId: import.meta.env.VITE_ENTRA_CLIENT_ID ?? "",
    apiScope: import.meta.env.VITE_ENTRA_API_SCOPE ?? "",
  },
} as const;

/** An absolute URL of the API for `path` (which starts with /api). */
export function apiUrl(path: string): string {
  return `${config.apiBaseUrl}${path}`;
}

/** Whether Microsoft Entra sign-in has the settings it needs (authority, client id and API scope). */
export function entraConfigured(): boolean {
  return Boolean(config.entra.authority && config.entra.clientId && config.entra.apiScope);
}
