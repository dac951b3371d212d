/**
 * A video lesson's video: upload from a file input straight to the signed URL (with a progress
 * bar), then the lesson's state as the pipeline moves it (validating, queued, processing) until it
 * is ready or failed (with the reason); captions (WebVTT) upload; AI question drafts from them.
 */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, unwrap, type Schemas } from "../api/client";
import { useSession } from "../auth/session";
import { formatClock, formatPercent } from "../i18n/format";
import { t, tp } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { sendRaw } from "../staff/api";
import { FormFooter } from "../staff/forms";
import { Facts, StatusTag, useAction } from "../staff/kit";
import { AsyncView, Field, ProgressBar } from "../ui";
import DraftQuestions from "./DraftQuestions";
import { videoStatusLabel } from "./labels";
import { percentSent, putFile } from "./upload";

type Video = Schemas["VideoView"];

const POLL_MS = 1500;
const IN_PROGRESS = new Set(["validating", "queued", "processing"]);

/** Whether the view still moves on its own (or has not yet seen the upload just sent). */
export function stillMoving(video: Video, waitingFor: string | null): boolean {
  if (IN_PROGRESS.has(video.status)) return true;
  if (waitingFor === null) return false;
  // After an upload the lesson first shows the previous asset; wait for a new one to settle.
  return video.assetId === waitingFor || video.status === "none";
}

function useVideo(courseId: string, lessonId: string) {
  const state = useAsync(
    () => unwrap(api.GET("/api/v1/courses/{courseId}/lessons/{lessonId}/video", { params: { path: { courseId, lessonId } } })),
    [courseId, lessonId],
  );
  return state;
}

function Upload({ courseId, lessonId, onUploaded }: { courseId: string; lessonId: string; onUploaded(): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [percent, setPercent] = useState<number | null>(null);
  const action = useAction();

  async function upload(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setPercent(0);
    const done = await action.run(async () => {
      const target = await unwrap(
        api.POST("/api/v1/courses/{courseId}/lessons/{lessonId}/video/upload-url", {
          params: { path: { courseId, lessonId } },
          body: { filename: file.name },
        }),
      );
      await putFile(target, file, (progress) => setPercent(percentSent(progress)));
      return true;
    }, t("instructor.video.uploaded"));
    if (done) {
      setFile(null);
      if (input.current) input.current.value = "";
      onUploaded();
    } else setPercent(null);
  }

  return (
    <form className="form" onSubmit={upload} noValidate>
      <Field label={t("instructor.video.file")} hint={t("instructor.video.fileHint")}>
        {(props) => (
          <input {...props} ref={input} type="file" accept="video/*" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        )}
      </Field>
      {percent !== null ? (
        <div>
          <ProgressBar value={percent} label={t("instructor.video.progress")} />
          <span className="muted">{t("instructor.video.sent", { percent: formatPercent(percent / 100) })}</span>
        </div>
      ) : null}
      <FormFooter
        action={action}
        submit={t("instructor.video.upload")}
        busyLabel={t("instructor.video.uploading")}
        disabled={!file}
        fields={false}
      />
    </form>
  );
}

function Captions({ courseId, lessonId, onSaved }: { courseId: string; lessonId: string; onSaved(): void }) {
  const [file, setFile] = useState<File | null>(null);
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    const saved = await action.run(
      () =>
        sendRaw<Schemas["CaptionsView"]>(
          `/api/v1/courses/${encodeURIComponent(courseId)}/lessons/${encodeURIComponent(lessonId)}/captions`,
          "PUT",
          file,
          "text/vtt",
        ),
      (view) => tp("instructor.captions.saved", view.transcriptChars),
    );
    if (saved) onSaved();
  }
  return (
    <form className="form" onSubmit={submit} noValidate>
      <Field label={t("instructor.captions.file")} hint={t("instructor.captions.hint")}>
        {(props) => <input {...props} type="file" accept=".vtt,text/vtt" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />}
      </Field>
      <FormFooter action={action} submit={t("instructor.captions.upload")} submitClass="button-secondary" disabled={!file} fields={false} />
    </form>
  );
}

export default function VideoPanel({ courseId, lessonId }: { courseId: string; lessonId: string }) {
  const { hasRole } = useSession();
  const video = useVideo(courseId, lessonId);
  const [waitingFor, setWaitingFor] = useState<string | null>(null);
  const [waitStarted, setWaitStarted] = useState(0);
  const { data, reload } = video;

  const moving = data ? stillMoving(data, waitingFor) : false;
  useEffect(() => {
    if (!moving) {
      if (waitingFor !== null) setWaitingFor(null);
      return;
    }
    // Give up waiting for a new asset after two minutes (the status shown is then what it is).
    if (waitingFor !== null && Date.now() - waitStarted > 120_000) {
      setWaitingFor(null);
      return;
    }
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [moving, data, reload, waitingFor, waitStarted]);

  return (
    <>
      <section className="section" aria-labelledby="video-title">
        <h2 id="video-title">{t("instructor.video.title")}</h2>
        <AsyncView state={video}>
          {(v) => (
            <div className="stack">
              <p aria-live="polite" role="status" data-testid="video-status">
                {t("instructor.video.status")}: <StatusTag status={v.status} label={videoStatusLabel(v.status)} />
                {moving ? <span className="muted"> {t("instructor.video.checking")}</span> : null}
              </p>
              {v.status === "failed" && v.reason ? (
                <p className="state state-error">{t("instructor.video.failed", { reason: v.reason })}</p>
              ) : null}
              {v.manifestUrl ? (
                <Facts
                  items={[
                    [t("instructor.video.duration"), v.durationSeconds != null ? formatClock(v.durationSeconds) : "—"],
                    [t("instructor.video.renditions"), (v.renditions ?? []).map((r) => r.name).join(", ") || "—"],
                    [t("instructor.video.captions"), v.captionsUrl ? t("common.yes") : t("common.no")],
                  ]}
                />
              ) : null}
              {v.posterUrl ? <img src={v.posterUrl} alt={t("instructor.video.poster")} className="poster" width={320} /> : null}
            </div>
          )}
        </AsyncView>
        <Upload
          courseId={courseId}
          lessonId={lessonId}
          onUploaded={() => {
            setWaitingFor(data?.assetId ?? "");
            setWaitStarted(Date.now());
            reload();
          }}
        />
      </section>
      <section className="section" aria-labelledby="captions-title">
        <h2 id="captions-title">{t("instructor.captions.title")}</h2>
        <Captions courseId={courseId} lessonId={lessonId} onSaved={reload} />
      </section>
      {hasRole("Instructor") ? (
        <section className="section" aria-labelledby="drafts-title">
          <h2 id="drafts-title">{t("instructor.drafts.fromLesson")}</h2>
          <DraftQuestions courseId={courseId} lessonId={lessonId} />
        </section>
      ) : null}
    </>
  );
}
