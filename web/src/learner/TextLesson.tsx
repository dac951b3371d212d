/** A text lesson: its text, and a button that records it as read (a `read` event in the next batch, sent at once). */
import { useEffect, useRef, useState } from "react";
import { useSignedIn } from "../auth/session";
import { t } from "../i18n/messages";
import type { Lesson } from "./data";
import { progressBatcher } from "./progress/service";

export default function TextLesson({
  courseId,
  lesson,
  completed,
  onProgress,
}: {
  courseId: string;
  lesson: Lesson;
  completed: boolean;
  onProgress: () => void;
}) {
  const session = useSignedIn();
  const [state, setState] = useState<"idle" | "saving" | "saved" | "queued">(completed ? "saved" : "idle");
  const opened = useRef(performance.now());
  useEffect(() => {
    opened.current = performance.now();
  }, [lesson.id]);

  async function markRead() {
    setState("saving");
    const batcher = progressBatcher(session.tenantId, session.userId);
    const activeSeconds = Math.min(3600, (performance.now() - opened.current) / 1000);
    batcher.addRead(courseId, lesson.id, activeSeconds);
    await batcher.flush();
    setState(batcher.hasPending ? "queued" : "saved");
    onProgress();
  }

  const paragraphs = (lesson.text ?? "").split(/\n{2,}/).filter(Boolean);
  return (
    <article className="text-lesson">
      {paragraphs.length === 0 ? <p className="muted">{t("text.empty")}</p> : paragraphs.map((p, i) => <p key={i}>{p}</p>)}
      <div className="actions">
        {state === "saved" ? (
          <p className="state state-ok" role="status">
            {t("text.marked")}
          </p>
        ) : (
          <>
          {state === "queued" ? <p role="status">{t("text.queued")}</p> : null}
          <button type="button" onClick={() => void markRead()} disabled={state === "saving"}>
            {state === "saving" ? t("text.marking") : t("text.markRead")}
          </button>
          </>
        )}
      </div>
    </article>
  );
}
