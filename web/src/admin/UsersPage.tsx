/** The tenant's users with their roles (filter by role), and adding a user (TenantAdmins). */
import { useState, type FormEvent } from "react";
import { Link, useLocation, useSearchParams } from "react-router";
import { api, unwrap, type Schemas } from "../api/client";
import { useSession } from "../auth/session";
import { formatDate } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { Checks, FormFooter, Options } from "../staff/forms";
import { Done, fieldErrorsOf, StatusTag, useAction, useContinuation } from "../staff/kit";
import { PagedTable } from "../staff/tables";
import { Field, PageTitle } from "../ui";
import { roleLabel, TENANT_ROLES, userStatusLabel, type TenantRole } from "./labels";

export function RolesField({ roles, onChange, error }: { roles: TenantRole[]; onChange(next: TenantRole[]): void; error?: string }) {
  return (
    <fieldset>
      <legend>{t("admin.users.roles")}</legend>
      <Checks values={TENANT_ROLES} label={roleLabel} chosen={roles} onChange={onChange} />
      {error ? <p className="field-error">{error}</p> : null}
    </fieldset>
  );
}

function CreateUser({ onCreated }: { onCreated(user: Schemas["UserView"]): void }) {
  const [email, setEmail] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [id, setId] = useState("");
  const [roles, setRoles] = useState<TenantRole[]>(["Learner"]);
  const action = useAction();
  const errors = fieldErrorsOf(action.error);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const body: Schemas["UserCreate"] = { email, displayName, roles, ...(id.trim() ? { id: id.trim() } : {}) };
    const user = await action.run(
      () => unwrap(api.POST("/api/v1/users", { body })),
      (u) => t("admin.users.created", { name: u.displayName }),
    );
    if (user) {
      onCreated(user);
      setEmail("");
      setDisplayName("");
      setId("");
      setRoles(["Learner"]);
    }
  }
  return (
    <form className="form section" onSubmit={submit} noValidate aria-labelledby="new-user">
      <h2 id="new-user">{t("admin.users.create")}</h2>
      <Field label={t("admin.users.email")} error={errors.email}>
        {(props) => <input {...props} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />}
      </Field>
      <Field label={t("admin.users.displayName")} error={errors.displayName}>
        {(props) => <input {...props} autoComplete="off" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
      </Field>
      <Field label={t("admin.users.id")} hint={t("admin.users.idHint")} error={errors.id}>
        {(props) => <input {...props} autoComplete="off" value={id} onChange={(e) => setId(e.target.value)} />}
      </Field>
      <RolesField roles={roles} onChange={setRoles} error={errors.roles} />
      <FormFooter action={action} submit={t("admin.users.createSubmit")} />
    </form>
  );
}

export default function UsersPage() {
  const { hasRole } = useSession();
  const [params, setParams] = useSearchParams();
  const role = TENANT_ROLES.find((r) => r === params.get("role"));
  const paging = useContinuation();
  const erased = (useLocation().state as { erased?: string } | null)?.erased;
  const users = useAsync(
    () => unwrap(api.GET("/api/v1/users", { params: { query: { role, limit: 25, continuation: paging.token ?? undefined } } })),
    [role, paging.token],
  );
  return (
    <>
      <PageTitle subtitle={t("admin.users.intro")}>{t("admin.nav.users")}</PageTitle>
      <Done message={erased ? t("admin.privacy.erased", { id: erased }) : null} />
      <div className="form-inline">
        <Field label={t("admin.users.filterRole")}>
          {(props) => (
            <select
              {...props}
              value={role ?? ""}
              onChange={(e) => {
                setParams(e.target.value ? { role: e.target.value } : {});
                paging.reset();
              }}
            >
              <option value="">{t("admin.users.allRoles")}</option>
              <Options values={TENANT_ROLES} label={roleLabel} />
            </select>
          )}
        </Field>
      </div>
      <PagedTable
        state={users}
        paging={paging}
        empty={t("admin.users.none")}
        caption={t("admin.nav.users")}
        columns={[t("admin.users.person"), t("admin.users.roles"), t("admin.users.status"), t("admin.users.since")]}
        row={(user) => (
          <tr>
            <td>
              <Link to={`/admin/users/${encodeURIComponent(user.id)}`}>{user.displayName}</Link>
              <div>{user.email}</div>
              <div className="outline-id">{user.id}</div>
            </td>
            <td>{user.roles.map(roleLabel).join(", ")}</td>
            <td>
              <StatusTag status={user.status} label={userStatusLabel(user.status)} />
            </td>
            <td className="nowrap">{formatDate(user.createdAt)}</td>
          </tr>
        )}
      />
      {hasRole("TenantAdmin") ? <CreateUser onCreated={() => users.reload()} /> : null}
    </>
  );
}
