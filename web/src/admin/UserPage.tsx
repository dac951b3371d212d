/** One user: profile, roles and status (changes audited with a reason), GDPR export and erasure. */
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, authorizedFetch, type Schemas } from "../api/client";
import { useSession } from "../auth/session";
import { formatDateTime } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { unwrapTagged, type Tagged } from "../staff/api";
import { ActionStatus, FormFooter, useGuardedSave } from "../staff/forms";
import { Facts, fieldErrorsOf, saveBlob, StatusTag, TypedConfirm, useAction } from "../staff/kit";
import { AsyncView, ErrorMessage, Field, PageTitle } from "../ui";
import { roleLabel, TENANT_ROLES, userStatusLabel, type TenantRole } from "./labels";
import { RolesField } from "./UsersPage";

type User = Schemas["UserView"];

function EditUser({ user, etag, onSaved }: { user: User; etag: string | null; onSaved(next: Tagged<User>): void }) {
  const [displayName, setDisplayName] = useState(user.displayName);
  const [email, setEmail] = useState(user.email);
  const [roles, setRoles] = useState<TenantRole[]>(user.roles.filter((r): r is TenantRole => (TENANT_ROLES as readonly string[]).includes(r)));
  const [status, setStatus] = useState(user.status === "disabled" ? "disabled" : "active");
  const [reason, setReason] = useState("");
  const action = useGuardedSave(etag, onSaved);
  const errors = fieldErrorsOf(action.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body: Schemas["UserPatch"] = {};
    if (displayName !== user.displayName) body.displayName = displayName;
    if (email !== user.email) body.email = email;
    if ([...roles].sort().join() !== [...user.roles].sort().join()) body.roles = roles;
    if (status !== user.status) body.status = status as "active" | "disabled";
    if (reason.trim()) body.reason = reason.trim();
    const saved = await action.save(
      (header) => api.PATCH("/api/v1/users/{userId}", { params: { path: { userId: user.id }, header }, body }),
      t("staff.saved"),
    );
    if (saved) setReason("");
  }

  return (
    <form className="form section" onSubmit={submit} noValidate aria-labelledby="edit-user">
      <h2 id="edit-user">{t("admin.users.edit")}</h2>
      <Field label={t("admin.users.displayName")} error={errors.displayName}>
        {(props) => <input {...props} value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
      </Field>
      <Field label={t("admin.users.email")} error={errors.email}>
        {(props) => <input {...props} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
      </Field>
      <RolesField roles={roles} onChange={setRoles} error={errors.roles} />
      <Field label={t("admin.users.status")} error={errors.status}>
        {(props) => (
          <select {...props} value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="active">{userStatusLabel("active")}</option>
            <option value="disabled">{userStatusLabel("disabled")}</option>
          </select>
        )}
      </Field>
      <Field label={t("admin.reason")} hint={t("admin.reasonHint")} error={errors.reason}>
        {(props) => <input {...props} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <FormFooter action={action} submit={t("common.save")} />
    </form>
  );
}

function filenameOf(response: Response, fallback: string): string {
  const header = response.headers.get("Content-Disposition") ?? "";
  return /filename="([^"]+)"/.exec(header)?.[1] ?? fallback;
}

function Privacy({ user }: { user: User }) {
  const navigate = useNavigate();
  const exporting = useAction();
  const erasing = useAction();

  async function exportData() {
    await exporting.run(async () => {
      const response = await authorizedFetch(`/api/v1/users/${encodeURIComponent(user.id)}/export`, { headers: { Accept: "application/json" } });
      saveBlob(await response.blob(), filenameOf(response, `personal-data-${user.id}.json`));
    }, t("admin.privacy.exported"));
  }

  async function erase() {
    const done = await erasing.run(async () => {
      await authorizedFetch(`/api/v1/users/${encodeURIComponent(user.id)}`, { method: "DELETE" });
      return true;
    });
    if (done) navigate("/admin/users", { state: { erased: user.id } });
  }

  return (
    <section className="section" aria-labelledby="privacy-title">
      <h2 id="privacy-title">{t("admin.privacy.title")}</h2>
      <p>{t("admin.privacy.exportHint")}</p>
      <div className="toolbar">
        <button type="button" className="button-secondary" onClick={() => void exportData()} disabled={exporting.busy}>
          {t("admin.privacy.export")}
        </button>
      </div>
      <ActionStatus action={exporting} />
      <h3>{t("admin.privacy.eraseTitle")}</h3>
      <TypedConfirm
        word={user.id}
        label={t("admin.privacy.eraseConfirm", { id: user.id })}
        button={t("admin.privacy.erase")}
        busy={erasing.busy}
        onConfirm={() => void erase()}
      >
        <p>{t("admin.privacy.eraseHint")}</p>
      </TypedConfirm>
      <ErrorMessage error={erasing.error} />
    </section>
  );
}

export default function UserPage() {
  const { userId = "" } = useParams();
  const { hasRole } = useSession();
  const user = useAsync(() => unwrapTagged(api.GET("/api/v1/users/{userId}", { params: { path: { userId } } })), [userId]);
  const admin = hasRole("TenantAdmin");
  return (
    <>
      <p>
        <Link to="/admin/users">{t("admin.users.back")}</Link>
      </p>
      <AsyncView state={user}>
        {({ data: u, etag }) => (
          <>
            <PageTitle subtitle={u.email}>{u.displayName}</PageTitle>
            <Facts
              items={[
                [t("admin.users.id"), <code key="id">{u.id}</code>],
                [t("admin.users.roles"), u.roles.map(roleLabel).join(", ")],
                [t("admin.users.status"), <StatusTag key="s" status={u.status} label={userStatusLabel(u.status)} />],
                [t("admin.users.since"), formatDateTime(u.createdAt)],
                [t("staff.updatedLabel"), formatDateTime(u.updatedAt)],
              ]}
            />
            {admin ? (
              <>
                <EditUser key={u.id} user={u} etag={etag} onSaved={user.setData} />
                <Privacy user={u} />
              </>
            ) : (
              <p className="muted">{t("admin.readOnly")}</p>
            )}
          </>
        )}
      </AsyncView>
    </>
  );
}
