/**
 * Tenant settings: name, branding (applied at once after saving), feature flags, K-12 (which forces
 * some flags off), allowed trackers, retention. Only what changed is sent, with a reason for the audit.
 */
import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import { useSession, useSignedIn } from "../auth/session";
import { applyBranding, textOn, useReloadBranding } from "../branding/branding";
import { formatDateTime } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { unwrapTagged, type Tagged } from "../staff/api";
import { FormFooter, useGuardedSave } from "../staff/forms";
import { fieldErrorsOf } from "../staff/kit";
import { AsyncView, Field, PageTitle } from "../ui";
import { flagLabel } from "./labels";
import { forcedOff, publicBrandingOf, settingsPatch, toSettingsForm, type SettingsForm, type Tenant } from "./settings";

const HEX = /^#[0-9a-fA-F]{6}$/;

function ColorField({ label, value, onChange, error }: { label: string; value: string; onChange(v: string): void; error?: string | undefined }) {
  return (
    <Field label={label} hint={t("admin.settings.colorHint")} error={error}>
      {(props) => (
        <div className="color-field">
          <input
            type="color"
            aria-label={t("admin.settings.colorPicker", { name: label })}
            value={HEX.test(value) ? value.toLowerCase() : "#000000"}
            onChange={(e) => onChange(e.target.value)}
          />
          <input {...props} value={value} maxLength={7} spellCheck={false} onChange={(e) => onChange(e.target.value)} />
        </div>
      )}
    </Field>
  );
}

function Form({ tenant, etag, onSaved, readOnly }: { tenant: Tenant; etag: string | null; onSaved(next: Tagged<Tenant>): void; readOnly: boolean }) {
  const session = useSignedIn();
  const reloadBranding = useReloadBranding();
  const [form, setForm] = useState<SettingsForm>(() => toSettingsForm(tenant));
  // The answer goes to `onSaved` once the branding it changed is applied (below).
  const action = useGuardedSave<Tenant>(etag);
  const errors = fieldErrorsOf(action.error);
  const patch = settingsPatch(tenant, form);
  const set = <K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!patch) return;
    const saved = await action.save((header) => api.PATCH("/api/v1/tenant", { params: { header }, body: patch }), t("admin.settings.saved"));
    if (!saved) return;
    // Apply the new colours now; then refresh the public branding (cached by the browser for
    // minutes) so the header's name and logo follow.
    applyBranding(publicBrandingOf(saved.data));
    try {
      await api.GET("/api/v1/tenants/{tenantId}/branding", { params: { path: { tenantId: session.tenantId } }, cache: "reload" });
    } catch {
      // cosmetic: the next load shows it
    }
    reloadBranding();
    onSaved(saved);
    setForm(toSettingsForm(saved.data));
  }

  const preview = HEX.test(form.primaryColor) ? form.primaryColor : tenant.branding.primaryColor;

  return (
    <form className="form form-wide" onSubmit={submit} noValidate>
      <fieldset disabled={readOnly} className="stack">
        <legend>{t("admin.settings.general")}</legend>
        <Field label={t("admin.settings.name")} error={errors.name}>
          {(props) => <input {...props} value={form.name} onChange={(e) => set("name", e.target.value)} />}
        </Field>
      </fieldset>

      <fieldset disabled={readOnly} className="stack">
        <legend>{t("admin.settings.branding")}</legend>
        <Field label={t("admin.settings.displayName")} hint={t("admin.settings.displayNameHint")} error={errors["branding.displayName"]}>
          {(props) => <input {...props} value={form.displayName} onChange={(e) => set("displayName", e.target.value)} />}
        </Field>
        <div className="row">
          <ColorField label={t("admin.settings.primaryColor")} value={form.primaryColor} onChange={(v) => set("primaryColor", v)} error={errors["branding.primaryColor"]} />
          <ColorField label={t("admin.settings.accentColor")} value={form.accentColor} onChange={(v) => set("accentColor", v)} error={errors["branding.accentColor"]} />
        </div>
        <Field label={t("admin.settings.logoUrl")} hint={t("staff.httpsOnly")} error={errors["branding.logoUrl"]}>
          {(props) => <input {...props} type="url" value={form.logoUrl} onChange={(e) => set("logoUrl", e.target.value)} />}
        </Field>
        <div className="brand-preview" style={{ background: preview, color: textOn(preview) }} aria-label={t("admin.settings.preview")}>
          <strong>{form.displayName || form.name}</strong>
          <span
            className="badge"
            style={{
              background: HEX.test(form.accentColor) ? form.accentColor : tenant.branding.accentColor,
              color: textOn(HEX.test(form.accentColor) ? form.accentColor : tenant.branding.accentColor),
            }}
          >
            {t("admin.settings.accentSample")}
          </span>
        </div>
      </fieldset>

      <fieldset disabled={readOnly} className="stack">
        <legend>{t("admin.settings.flags")}</legend>
        <label className="checkbox">
          <input type="checkbox" checked={form.k12} onChange={(e) => set("k12", e.target.checked)} />
          {t("admin.settings.k12")}
        </label>
        <p className="field-hint">{t("admin.settings.k12Hint")}</p>
        <div className="checks">
          {Object.keys(form.flags)
            .sort()
            .map((flag) => {
              const forced = forcedOff(flag, form.k12);
              return (
                <label key={flag} className="checkbox">
                  <input
                    type="checkbox"
                    checked={forced ? false : (form.flags[flag] ?? false)}
                    disabled={forced}
                    onChange={(e) => set("flags", { ...form.flags, [flag]: e.target.checked })}
                  />
                  {flagLabel(flag)}
                  {forced ? <span className="muted"> ({t("admin.settings.offForK12")})</span> : null}
                </label>
              );
            })}
        </div>
        {errors.flags ? <p className="field-error">{errors.flags}</p> : null}
        <Field label={t("admin.settings.trackers")} hint={t("admin.settings.trackersHint")} error={errors.trackers ?? errors["trackers.0"]}>
          {(props) => <input {...props} value={form.trackers} onChange={(e) => set("trackers", e.target.value)} />}
        </Field>
      </fieldset>

      <fieldset disabled={readOnly} className="stack">
        <legend>{t("admin.settings.retention")}</legend>
        <div className="row">
          <Field label={t("admin.settings.auditDays")} hint={t("admin.settings.daysHint")} error={errors["retention.auditDays"]}>
            {(props) => <input {...props} type="number" min={30} max={3650} value={form.auditDays} onChange={(e) => set("auditDays", e.target.value)} />}
          </Field>
          <Field label={t("admin.settings.activityDays")} hint={t("admin.settings.daysHint")} error={errors["retention.activityDays"]}>
            {(props) => (
              <input {...props} type="number" min={30} max={3650} value={form.activityDays} onChange={(e) => set("activityDays", e.target.value)} />
            )}
          </Field>
        </div>
      </fieldset>

      {!readOnly ? (
        <>
          <Field label={t("admin.reason")} hint={t("admin.reasonHint")} error={errors.reason}>
            {(props) => <input {...props} value={form.reason} onChange={(e) => set("reason", e.target.value)} />}
          </Field>
          <FormFooter action={action} submit={t("admin.settings.save")} busyLabel={t("staff.saving")} disabled={!patch} toolbar>
            {!patch ? <span className="muted">{t("admin.settings.noChanges")}</span> : null}
          </FormFooter>
        </>
      ) : (
        <p className="muted">{t("admin.readOnly")}</p>
      )}
    </form>
  );
}

export default function SettingsPage() {
  const { hasRole } = useSession();
  const tenant = useAsync(() => unwrapTagged(api.GET("/api/v1/tenant")), []);
  return (
    <AsyncView state={tenant}>
      {({ data, etag }) => (
        <>
          <PageTitle subtitle={t("admin.settings.subtitle", { id: data.id, updated: formatDateTime(data.updatedAt) })}>
            {t("admin.nav.settings")}
          </PageTitle>
          <Form tenant={data} etag={etag} onSaved={tenant.setData} readOnly={!hasRole("TenantAdmin")} />
        </>
      )}
    </AsyncView>
  );
}
