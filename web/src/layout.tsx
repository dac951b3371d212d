/** The signed-in frame: skip link, tenant header, the main navigation, and the screen. */
import { Suspense, type ReactNode } from "react";
import { Navigate, NavLink, Outlet, useLocation } from "react-router";
import { useSession, type Role } from "./auth/session";
import { BrandingProvider, useBranding } from "./branding/branding";
import { closeProgress } from "./learner/progress/service";
import { t } from "./i18n/messages";
import { Loading, PageTitle } from "./ui";

function TenantName() {
  const branding = useBranding();
  return (
    <span className="brand">
      {branding?.logoUrl ? <img src={branding.logoUrl} alt="" className="brand-logo" /> : null}
      <span className="brand-name">{branding?.displayName ?? t("app.name")}</span>
    </span>
  );
}

function SkipLink() {
  return (
    <a href="#main" className="skip-link">
      {t("app.skipToContent")}
    </a>
  );
}

/** Extra navigation items (the notifications link with its unread count) come from the learner area. */
export function SignedInLayout({ navExtra, wrap }: { navExtra?: ReactNode; wrap?: (children: ReactNode) => ReactNode }) {
  const { ready, session, signOut, hasRole } = useSession();
  const location = useLocation();
  if (!ready) return <Loading />;
  if (!session) return <Navigate to="/sign-in" replace state={{ from: `${location.pathname}${location.search}` }} />;
  const frame = (
    <>
      <SkipLink />
      <header className="site-header">
        <TenantName />
        <nav aria-label={t("nav.main")} className="site-nav">
          <NavLink to="/" end>
            {t("nav.catalog")}
          </NavLink>
          <NavLink to="/my-learning">{t("nav.myLearning")}</NavLink>
          {navExtra}
          {hasRole("Instructor", "TenantAdmin") ? <NavLink to="/instructor">{t("nav.instructor")}</NavLink> : null}
          {hasRole("TenantAdmin", "SupportReadonly") ? <NavLink to="/admin">{t("nav.admin")}</NavLink> : null}
        </nav>
        <div className="site-user">
          <span>{t("nav.signedInAs", { name: session.displayName })}</span>
          <button type="button" className="button-secondary" onClick={() => void closeProgress().finally(() => void signOut())}>
            {t("nav.signOut")}
          </button>
        </div>
      </header>
      <main id="main" className="site-main">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </>
  );
  return <BrandingProvider tenantId={session.tenantId}>{wrap ? wrap(frame) : frame}</BrandingProvider>;
}

/** The frame of a screen for no one signed in (sign-in, certificate verification): the platform's name, no tenant branding. */
export function PublicFrame({ narrow = false, children }: { narrow?: boolean; children: ReactNode }) {
  return (
    <>
      <SkipLink />
      <header className="site-header">
        <span className="brand">
          <span className="brand-name">{t("app.name")}</span>
        </span>
      </header>
      <main id="main" className={narrow ? "site-main narrow" : "site-main"}>
        {children}
      </main>
    </>
  );
}

/** Public screens (certificate verification): no sign-in, no tenant branding. */
export function PublicLayout() {
  return (
    <PublicFrame>
      <Outlet />
    </PublicFrame>
  );
}

/**
 * Renders its children only for the given roles. The staff areas sit under it as `lazy()`
 * components, so their chunks are requested only once the roles allow them: a learner who
 * follows a link to /instructor gets this message and downloads nothing of that area.
 */
export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { hasRole } = useSession();
  if (!hasRole(...roles)) {
    return (
      <>
        <PageTitle>{t("app.forbiddenTitle")}</PageTitle>
        <p>{t("app.forbidden")}</p>
      </>
    );
  }
  return <>{children}</>;
}

export function NotFound() {
  return (
    <>
      <SkipLink />
      <main id="main" className="site-main">
        <PageTitle>{t("app.notFoundTitle")}</PageTitle>
        <p>{t("app.notFound")}</p>
        <NavLink to="/">{t("app.backHome")}</NavLink>
      </main>
    </>
  );
}
