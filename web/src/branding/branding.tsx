/**
 * The tenant's branding from the public `GET /api/v1/tenants/{tenantId}/branding`: its name and
 * colours become CSS variables on <html>, and its allowed trackers (none for K-12) go through the
 * tracker policy. Without a tenant (signed out, the public verification page) the defaults apply.
 */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, unwrap, type Schemas } from "../api/client";
import { applyTrackerPolicy } from "./trackers";

export type Branding = Schemas["PublicBranding"];

interface BrandingValue {
  branding: Branding | null;
  /** Reads the branding again (after an admin changed it). */
  reload(): void;
}

const BrandingContext = createContext<BrandingValue>({ branding: null, reload: () => undefined });

const HEX = /^#[0-9a-fA-F]{6}$/;

/** Black or white text, whichever reads better on `hex` (WCAG relative luminance). */
export function textOn(hex: string): string {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance > 0.179 ? "#111111" : "#ffffff";
}

export function applyBranding(branding: Branding, root: HTMLElement = document.documentElement): void {
  if (HEX.test(branding.primaryColor)) {
    root.style.setProperty("--brand-primary", branding.primaryColor);
    root.style.setProperty("--brand-on-primary", textOn(branding.primaryColor));
  }
  if (HEX.test(branding.accentColor)) {
    root.style.setProperty("--brand-accent", branding.accentColor);
    root.style.setProperty("--brand-on-accent", textOn(branding.accentColor));
  }
}

export function BrandingProvider({ tenantId, children }: { tenantId: string | null; children: ReactNode }) {
  const [branding, setBranding] = useState<Branding | null>(null);
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (!tenantId) {
      setBranding(null);
      return;
    }
    let cancelled = false;
    unwrap(api.GET("/api/v1/tenants/{tenantId}/branding", { params: { path: { tenantId } } })).then(
      (value) => {
        if (cancelled) return;
        setBranding(value);
        applyBranding(value);
        applyTrackerPolicy(value.allowedTrackers);
      },
      () => {
        // Branding is cosmetic: without it the default colours stay and no tracker is loaded.
        if (!cancelled) setBranding(null);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [tenantId, nonce]);
  const value = useMemo(() => ({ branding, reload: () => setNonce((n) => n + 1) }), [branding]);
  return <BrandingContext.Provider value={value}>{children}</BrandingContext.Provider>;
}

/** The tenant's branding once loaded (null before, and when signed out). */
export function useBranding(): Branding | null {
  return useContext(BrandingContext).branding;
}

/** Reads the tenant's branding again and applies it (the admin area calls it after a change). */
export function useReloadBranding(): () => void {
  return useContext(BrandingContext).reload;
}
