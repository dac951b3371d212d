/** A course's details (title, summary, level, price, prerequisites...) and publishing it. */
import { useState, type FormEvent } from "react";
import { api, unwrap, unwrapWithResponse, type Schemas } from "../api/client";
import { formatDateTime, formatNumber } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { unwrapTagged } from "../staff/api";
import { ActionStatus, Checks, FormFooter, Options, useGuardedSave } from "../staff/forms";
import { Facts, fieldErrorsOf, useAction } from "../staff/kit";
import { Field, PageTitle } from "../ui";
import { useCourse, type Course } from "./CourseLayout";
import { courseStatusLabel, LEVELS, levelLabel } from "./labels";

interface DetailsForm {
  title: string;
  summary: string;
  description: string;
  language: string;
  level: (typeof LEVELS)[number];
  tags: string;
  durationMinutes: string;
  imageUrl: string;
  paid: boolean;
  amount: string;
  currency: string;
  selfEnrollment: boolean;
  prerequisites: string[];
}

function toForm(course: Course): DetailsForm {
  const price = course.price as { amount?: number; currency?: string } | null;
  return {
    title: course.title,
    summary: course.summary,
    description: course.description,
    language: course.language,
    level: LEVELS.find((l) => l === course.level) ?? "beginner",
    tags: course.tags.join(", "),
    durationMinutes: course.durationMinutes == null ? "" : String(course.durationMinutes),
    imageUrl: course.imageUrl ?? "",
    paid: price != null,
    amount: price?.amount != null ? (price.amount / 100).toFixed(2) : "",
    currency: price?.currency ?? "EUR",
    selfEnrollment: course.selfEnrollment,
    prerequisites: course.prerequisites,
  };
}

/** The PATCH body: every field of the form (null clears the optional ones). */
function toPatch(form: DetailsForm): Schemas["CoursePatch"] {
  const minutes = form.durationMinutes.trim();
  return {
    title: form.title,
    summary: form.summary,
    description: form.description,
    language: form.language.trim(),
    level: form.level,
    tags: form.tags
      .split(",")
      .map((tag) => tag.trim())
      .filter(Boolean),
    durationMinutes: minutes ? Number(minutes) : null,
    imageUrl: form.imageUrl.trim() || null,
    price: form.paid ? { amount: Math.round(Number(form.amount.replace(",", ".")) * 100), currency: form.currency.trim().toUpperCase() } : null,
    selfEnrollment: form.selfEnrollment,
    prerequisites: form.prerequisites,
  };
}

function Publishing() {
  const { course, update, reload } = useCourse();
  const action = useAction();
  const [published, setPublished] = useState<Schemas["CourseVersionView"] | null>(null);

  async function publish() {
    // 201: a new version; 200: the draft had not changed, and the latest version is the answer.
    const done = await action.run(
      () => unwrapWithResponse(api.POST("/api/v1/courses/{courseId}/publish", { params: { path: { courseId: course.id } } })),
      ({ data, response }) =>
        t(response.status === 201 ? "instructor.publish.published" : "instructor.publish.unchanged", {
          version: formatNumber(data.version),
        }),
    );
    if (done) {
      setPublished(done.data);
      reload();
    }
  }

  async function unpublish() {
    const view = await action.run(
      () => unwrapTagged(api.POST("/api/v1/courses/{courseId}/unpublish", { params: { path: { courseId: course.id } } })),
      t("instructor.publish.unpublished"),
    );
    if (view) update(view);
  }

  return (
    <section className="section" aria-labelledby="publishing-title">
      <h2 id="publishing-title">{t("instructor.publish.title")}</h2>
      <Facts
        items={[
          [t("instructor.course.status"), courseStatusLabel(course.status)],
          [t("instructor.course.latestVersion"), course.latestVersion != null ? formatNumber(course.latestVersion) : t("instructor.publish.never")],
          [t("instructor.course.updatedAt"), formatDateTime(course.updatedAt)],
        ]}
      />
      <p className="muted">{t("instructor.publish.hint")}</p>
      <div className="toolbar">
        <button type="button" onClick={() => void publish()} disabled={action.busy}>
          {course.latestVersion ? t("instructor.publish.again") : t("instructor.publish.submit")}
        </button>
        {course.status === "published" ? (
          <button type="button" className="button-secondary" onClick={() => void unpublish()} disabled={action.busy}>
            {t("instructor.publish.unpublish")}
          </button>
        ) : null}
      </div>
      <ActionStatus action={action} />
      {published ? <p className="muted">{t("instructor.publish.at", { at: formatDateTime(published.publishedAt) })}</p> : null}
    </section>
  );
}

export default function CourseDetailsPage() {
  const { course, etag, update } = useCourse();
  const [form, setForm] = useState<DetailsForm>(() => toForm(course));
  const action = useGuardedSave(etag, update);
  const errors = fieldErrorsOf(action.error);
  const others = useAsync(() => unwrap(api.GET("/api/v1/courses", { params: { query: { limit: 200 } } })), []);
  const set = <K extends keyof DetailsForm>(key: K, value: DetailsForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const saved = await action.save(
      (header) => api.PATCH("/api/v1/courses/{courseId}", { params: { path: { courseId: course.id }, header }, body: toPatch(form) }),
      t("staff.saved"),
    );
    if (saved) setForm(toForm(saved.data));
  }

  const candidates = (others.data?.items ?? []).filter((c) => c.id !== course.id);

  return (
    <>
      <PageTitle subtitle={t("instructor.course.detailsOf", { id: course.id })}>{course.title}</PageTitle>
      <Publishing />
      <form className="form form-wide section" onSubmit={submit} noValidate aria-labelledby="details-title">
        <h2 id="details-title">{t("instructor.course.edit")}</h2>
        <Field label={t("instructor.course.title")} error={errors.title}>
          {(props) => <input {...props} value={form.title} onChange={(e) => set("title", e.target.value)} />}
        </Field>
        <Field label={t("instructor.course.summary")} error={errors.summary}>
          {(props) => <textarea {...props} value={form.summary} onChange={(e) => set("summary", e.target.value)} />}
        </Field>
        <Field label={t("instructor.course.description")} error={errors.description}>
          {(props) => <textarea {...props} rows={6} value={form.description} onChange={(e) => set("description", e.target.value)} />}
        </Field>
        <div className="row">
          <Field label={t("instructor.course.language")} hint={t("instructor.course.languageHint")} error={errors.language}>
            {(props) => <input {...props} value={form.language} onChange={(e) => set("language", e.target.value)} />}
          </Field>
          <Field label={t("instructor.course.level")} error={errors.level}>
            {(props) => (
              <select {...props} value={form.level} onChange={(e) => set("level", e.target.value as DetailsForm["level"])}>
                <Options values={LEVELS} label={levelLabel} />
              </select>
            )}
          </Field>
          <Field label={t("instructor.course.duration")} error={errors.durationMinutes}>
            {(props) => (
              <input {...props} type="number" min={0} inputMode="numeric" value={form.durationMinutes} onChange={(e) => set("durationMinutes", e.target.value)} />
            )}
          </Field>
        </div>
        <Field label={t("instructor.course.tags")} hint={t("staff.commaSeparated")} error={errors.tags ?? errors["tags.0"]}>
          {(props) => <input {...props} value={form.tags} onChange={(e) => set("tags", e.target.value)} />}
        </Field>
        <Field label={t("instructor.course.imageUrl")} hint={t("staff.httpsOnly")} error={errors.imageUrl}>
          {(props) => <input {...props} type="url" value={form.imageUrl} onChange={(e) => set("imageUrl", e.target.value)} />}
        </Field>
        <fieldset>
          <legend>{t("instructor.course.enrollment")}</legend>
          <label className="checkbox">
            <input type="checkbox" checked={form.selfEnrollment} onChange={(e) => set("selfEnrollment", e.target.checked)} />
            {t("instructor.course.selfEnrollment")}
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={form.paid} onChange={(e) => set("paid", e.target.checked)} />
            {t("instructor.course.paid")}
          </label>
          {form.paid ? (
            <div className="row">
              <Field label={t("instructor.course.amount")} error={errors["price.amount"]}>
                {(props) => <input {...props} inputMode="decimal" value={form.amount} onChange={(e) => set("amount", e.target.value)} />}
              </Field>
              <Field label={t("instructor.course.currency")} hint={t("instructor.course.currencyHint")} error={errors["price.currency"]}>
                {(props) => <input {...props} maxLength={3} value={form.currency} onChange={(e) => set("currency", e.target.value)} />}
              </Field>
            </div>
          ) : null}
        </fieldset>
        <fieldset>
          <legend>{t("instructor.course.prerequisites")}</legend>
          {candidates.length === 0 ? <p className="muted">{t("instructor.course.noOtherCourses")}</p> : null}
          <Checks items={candidates} chosen={form.prerequisites} onChange={(next) => set("prerequisites", next)} />
          {errors.prerequisites ? <p className="field-error">{errors.prerequisites}</p> : null}
        </fieldset>
        <FormFooter action={action} submit={t("common.save")} busyLabel={t("staff.saving")} />
      </form>
    </>
  );
}
