/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the API; empty means the same origin (the API serves this app in `make run`). */
  readonly VITE_API_BASE_URL?: string;
  /** `dev` (the embedded profile's dev sign-in, the default) or `entra` (Microsoft Entra ID). */
  readonly VITE_AUTH_MODE?: "dev" | "entra";
  readonly VITE_ENTRA_AUTHORITY?: string;
  readonly VITE_ENTRA_CLIENT_ID?: string;
  readonly VITE_ENTRA_API_SCOPE?: string;
  /** JSON object tracker name -> https script URL: the trackers this deployment can load (none by default). */
  readonly VITE_TRACKER_SCRIPTS?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
