/**
 * Microsoft Entra ID sign-in (VITE_AUTH_MODE=entra) through @azure/msal-browser. This module is
 * imported dynamically by the session only in entra mode, so the dev build never ships MSAL.
 */
import { PublicClientApplication, InteractionRequiredAuthError, type AccountInfo } from "@azure/msal-browser";
import { config } from "../config";

let app: PublicClientApplication | null = null;

function scopes(): string[] {
  return [config.entra.apiScope];
}

async function client(): Promise<PublicClientApplication> {
  if (app) return app;
  const created = new PublicClientApplication({
    auth: {
      clientId: config.entra.clientId,
      authority: config.entra.authority,
      redirectUri: window.location.origin,
      postLogoutRedirectUri: window.location.origin,
    },
    cache: { cacheLocation: "sessionStorage" },
  });
  await created.initialize();
  const redirect = await created.handleRedirectPromise();
  if (redirect?.account) created.setActiveAccount(redirect.account);
  app = created;
  return created;
}

function account(pca: PublicClientApplication): AccountInfo | null {
  return pca.getActiveAccount() ?? pca.getAllAccounts()[0] ?? null;
}

/** Completes a redirect sign-in if one is under way; whether an account is signed in. */
export async function entraSignedIn(): Promise<boolean> {
  const pca = await client();
  return account(pca) !== null;
}

export async function entraSignIn(): Promise<void> {
  const pca = await client();
  await pca.loginRedirect({ scopes: scopes() });
}

export async function entraToken(): Promise<string | null> {
  const pca = await client();
  const current = account(pca);
  if (!current) return null;
  try {
    const result = await pca.acquireTokenSilent({ scopes: scopes(), account: current });
    return result.accessToken;
  } catch (error) {
    if (error instanceof InteractionRequiredAuthError) {
      await pca.acquireTokenRedirect({ scopes: scopes(), account: current });
      return null;
    }
    throw error;
  }
}

export async function entraSignOut(): Promise<void> {
  const pca = await client();
  const current = account(pca);
  await pca.logoutRedirect(current ? { account: current } : undefined);
}
