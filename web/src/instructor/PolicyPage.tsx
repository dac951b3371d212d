/** The course's completion policy: how much of a video to watch, quiz passes, which lessons count. */
import { useState, type FormEvent } from "react";
import { api, unwrap, type Schemas } from "../api/client";
import { formatPercent } from "../i18n/format";
import { t, tp } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { Checks, FormFooter } from "../staff/forms";
import { fieldErrorsOf, useAction } from "../staff/kit";
import { AsyncView, Field, PageTitle } from "../ui";
import { useCourse } from "./CourseLayout";
import { allLessons, parseOutline } from "./outline";

type Policy = Schemas["CompletionPolicy"];

function PolicyForm({ initial }: { initial: Policy }) {
  const { course } = useCourse();
  const lessons = allLessons(parseOutline(course.outline));
  const [watchPercent, setWatchPercent] = useState(String(Math.round((initial.watchRatio ?? 0.8) * 100)));
  const [requireQuizPass, setRequireQuizPass] = useState(initial.requireQuizPass ?? true);
  const [custom, setCustom] = useState(initial.requiredLessons != null);
  const [required, setRequired] = useState<string[]>(initial.requiredLessons ?? lessons.filter((l) => l.required).map((l) => l.id));
  const action = useAction();
  const errors = fieldErrorsOf(action.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body: Policy = {
      watchRatio: Number(watchPercent) / 100,
      requireQuizPass,
      requiredLessons: custom ? required : null,
    };
    await action.run(
      () => unwrap(api.PUT("/api/v1/courses/{courseId}/completion-policy", { params: { path: { courseId: course.id } }, body })),
      t("staff.saved"),
    );
  }

  return (
    <form className="form section" onSubmit={submit} noValidate>
      <Field label={t("instructor.policy.watch")} hint={t("instructor.policy.watchHint")} error={errors.watchRatio}>
        {(props) => (
          <input {...props} type="number" min={1} max={100} step={1} value={watchPercent} onChange={(e) => setWatchPercent(e.target.value)} />
        )}
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={requireQuizPass} onChange={(e) => setRequireQuizPass(e.target.checked)} />
        {t("instructor.policy.requireQuizPass")}
      </label>
      <fieldset>
        <legend>{t("instructor.policy.requiredLessons")}</legend>
        <label className="checkbox">
          <input type="radio" name="required-mode" checked={!custom} onChange={() => setCustom(false)} />
          {t("instructor.policy.markedRequired")}
        </label>
        <label className="checkbox">
          <input type="radio" name="required-mode" checked={custom} onChange={() => setCustom(true)} />
          {t("instructor.policy.chosen")}
        </label>
        {custom ? (
          <Checks items={lessons} chosen={required} onChange={setRequired} />
        ) : null}
        {errors.requiredLessons ? <p className="field-error">{errors.requiredLessons}</p> : null}
      </fieldset>
      <p className="muted">
        {tp("instructor.policy.summary", custom ? required.length : lessons.filter((l) => l.required).length, {
          watch: formatPercent(Number(watchPercent) / 100),
        })}
      </p>
      <FormFooter action={action} submit={t("common.save")} busyLabel={t("staff.saving")} />
    </form>
  );
}

export default function PolicyPage() {
  const { course } = useCourse();
  const policy = useAsync(
    () => unwrap(api.GET("/api/v1/courses/{courseId}/completion-policy", { params: { path: { courseId: course.id } } })),
    [course.id],
  );
  return (
    <>
      <PageTitle subtitle={t("instructor.policy.intro")}>{t("instructor.policy.title")}</PageTitle>
      <AsyncView state={policy}>{(p) => <PolicyForm initial={p} />}</AsyncView>
    </>
  );
}
