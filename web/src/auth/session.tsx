/**
 * Who is signed in. Dev mode (the embedded profile): `GET/POST /api/v1/dev/sign-in` issues a dev
 * token for a seeded user, kept in sessionStorage (this tab only; gone when it closes). Entra mode:
 * MSAL holds the account and gives access tokens for the API scope. Either way the API's
 * `GET /api/v1/me` says who the caller is and which roles the tenant gave them.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, setTokenProvider, setUnauthorizedListener, unwrap, type Schemas } from "../api/client";
import { config } from "../config";

export type Role = "Learner" | "Instructor" | "TenantAdmin" | "SupportReadonly" | "SuperAdmin";

export interface Session {
  tenantId: string;
  userId: string;
  displayName: string;
  roles: string[];
}

interface StoredDevToken {
  accessToken: string;
  expiresAt: number;
  tenantId: string;
  userId: string;
}

/** A user the embedded profile's dev sign-in offers. */
export type DevUser = Schemas["DevSignInUser"];

const STORAGE_KEY = "lms.session";

function readStored(): StoredDevToken | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredDevToken;
    if (typeof parsed.accessToken !== "string" || parsed.expiresAt <= Date.now()) return null;
    return parsed;
  } catch {
    return null;
  }
}

function writeStored(value: StoredDevToken | null): void {
  if (value) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
  else sessionStorage.removeItem(STORAGE_KEY);
}

async function entra() {
  return import("./entra");
}

async function currentToken(): Promise<string | null> {
  if (config.authMode === "entra") return (await entra()).entraToken();
  return readStored()?.accessToken ?? null;
}

setTokenProvider(currentToken);

// The dev sign-in routes exist only on the embedded profile; they are called without a token.
export async function listDevUsers(): Promise<DevUser[]> {
  const body = await unwrap(api.GET("/api/v1/dev/sign-in"));
  return body.users;
}

async function fetchMe(): Promise<Schemas["MeView"]> {
  return unwrap(api.GET("/api/v1/me"));
}

function toSession(me: Schemas["MeView"]): Session {
  return {
    tenantId: me.tenantId ?? "",
    userId: me.userId,
    displayName: me.displayName ?? me.userId,
    roles: me.roles,
  };
}

interface SessionValue {
  /** null while the session is being restored. */
  ready: boolean;
  session: Session | null;
  /** Set when a signed-in call was refused with 401: the sign-in screen says the session ended. */
  expired: boolean;
  signInDev(tenantId: string, userId: string): Promise<void>;
  signInEntra(): Promise<void>;
  signOut(): Promise<void>;
  hasRole(...roles: Role[]): boolean;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [ready, setReady] = useState(false);
  const [session, setSession] = useState<Session | null>(null);
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    setUnauthorizedListener(() => {
      writeStored(null);
      setSession(null);
      setExpired(true);
    });
    let cancelled = false;
    (async () => {
      try {
        const signedIn = config.authMode === "entra" ? await (await entra()).entraSignedIn() : readStored() !== null;
        if (signedIn) {
          const me = await fetchMe();
          if (!cancelled) setSession(toSession(me));
        }
      } catch {
        writeStored(null);
      } finally {
        if (!cancelled) setReady(true);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, []);

  const signInDev = useCallback(async (tenantId: string, userId: string) => {
    const token = await unwrap(api.POST("/api/v1/dev/sign-in", { body: { tenantId, userId } }));
    writeStored({
      accessToken: token.accessToken,
      expiresAt: Date.now() + token.expiresIn * 1000,
      tenantId: token.tenantId,
      userId: token.userId,
    });
    const me = await fetchMe();
    setExpired(false);
    setSession(toSession(me));
  }, []);

  const signInEntra = useCallback(async () => {
    await (await entra()).entraSignIn();
  }, []);

  const signOut = useCallback(async () => {
    writeStored(null);
    setSession(null);
    setExpired(false);
    if (config.authMode === "entra") await (await entra()).entraSignOut();
  }, []);

  const value = useMemo<SessionValue>(
    () => ({
      ready,
      session,
      expired,
      signInDev,
      signInEntra,
      signOut,
      hasRole: (...roles: Role[]) => Boolean(session && roles.some((r) => session.roles.includes(r))),
    }),
    [ready, session, expired, signInDev, signInEntra, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** The signed-in session; for screens under the signed-in layout only. */
export function useSignedIn(): Session {
  const { session } = useSession();
  if (!session) throw new Error("useSignedIn without a session");
  return session;
}
