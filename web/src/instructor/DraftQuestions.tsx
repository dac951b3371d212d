/** Asks the question generator for drafts from a lesson's transcript (captions, or a text lesson's text). */
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { t, tp } from "../i18n/messages";
import { FormFooter } from "../staff/forms";
import { useAction } from "../staff/kit";
import { Field } from "../ui";

export default function DraftQuestions({ courseId, lessonId }: { courseId: string; lessonId: string }) {
  const [count, setCount] = useState("5");
  const action = useAction();
  const [made, setMade] = useState<number | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const batch = await action.run(
      () =>
        unwrap(
          api.POST("/api/v1/courses/{courseId}/lessons/{lessonId}/question-drafts", {
            params: { path: { courseId, lessonId } },
            body: { count: Number(count) },
          }),
        ),
      (b) => tp("instructor.drafts.generated", b.items.length),
    );
    if (batch) setMade(batch.items.length);
  }
  return (
    <form className="form" onSubmit={submit} noValidate>
      <p className="muted">{t("instructor.drafts.generateHint")}</p>
      <Field label={t("instructor.drafts.count")}>
        {(props) => <input {...props} type="number" min={1} max={20} value={count} onChange={(e) => setCount(e.target.value)} />}
      </Field>
      <FormFooter action={action} submit={t("instructor.drafts.generate")} submitClass="button-secondary" fields={false} toolbar>
        {made ? <Link to={`/instructor/drafts?courseId=${encodeURIComponent(courseId)}`}>{t("instructor.drafts.review")}</Link> : null}
      </FormFooter>
    </form>
  );
}
