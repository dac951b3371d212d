/**
 * The admin area: its own chunk (loaded with lazy() from routes.tsx, never by a learner).
 * Users and roles, the HRIS import, tenant settings, the audit log, usage; GDPR export and erasure
 * on a user's page. SupportReadonly reads everything here and changes nothing (the server refuses).
 */
import "../i18n/messages.staff";
import { NavLink, Route } from "react-router";
import { useSession } from "../auth/session";
import { t } from "../i18n/messages";
import { StaffArea } from "../staff/kit";
import AuditPage from "./AuditPage";
import ImportPage from "./ImportPage";
import SettingsPage from "./SettingsPage";
import UsagePage from "./UsagePage";
import UserPage from "./UserPage";
import UsersPage from "./UsersPage";

export default function AdminArea() {
  const { hasRole } = useSession();
  const admin = hasRole("TenantAdmin");
  const nav = (
    <>
      <NavLink to="/admin" end>
        {t("admin.nav.settings")}
      </NavLink>
      <NavLink to="/admin/users">{t("admin.nav.users")}</NavLink>
      {admin ? <NavLink to="/admin/import">{t("admin.nav.import")}</NavLink> : null}
      <NavLink to="/admin/audit">{t("admin.nav.audit")}</NavLink>
      <NavLink to="/admin/usage">{t("admin.nav.usage")}</NavLink>
    </>
  );
  return (
    <StaffArea title={t("admin.title")} nav={nav}>
      <Route index element={<SettingsPage />} />
      <Route path="users" element={<UsersPage />} />
      <Route path="users/:userId" element={<UserPage />} />
      <Route path="import" element={<ImportPage />} />
      <Route path="audit" element={<AuditPage />} />
      <Route path="usage" element={<UsagePage />} />
    </StaffArea>
  );
}
