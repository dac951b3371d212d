/**
 * The admin area: its own chunk (loaded with lazy() from routes.tsx, never by a learner).
 * Screens of this area go in this folder and are routed below.
 */
import { NavLink, Route, Routes } from "react-router";
import { api, unwrap } from "../api/client";
import { t } from "../i18n/messages";
import { AreaLayout } from "../layout";
import { useAsync } from "../lib/useAsync";
import { AsyncView, PageTitle } from "../ui";

function TenantOverview() {
  const tenant = useAsync(() => unwrap(api.GET("/api/v1/tenant")), []);
  return (
    <>
      <PageTitle>{t("admin.overview")}</PageTitle>
      <AsyncView state={tenant}>
        {(view) => (
          <dl className="facts">
            <dt>{t("admin.overview")}</dt>
            <dd>
              {view.name} ({view.id})
            </dd>
          </dl>
        )}
      </AsyncView>
    </>
  );
}

export default function AdminArea() {
  return (
    <AreaLayout title={t("admin.title")} nav={<NavLink to="/admin" end>{t("admin.overview")}</NavLink>}>
      <Routes>
        <Route index element={<TenantOverview />} />
      </Routes>
    </AreaLayout>
  );
}
