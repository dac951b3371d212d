/** A course: description, outline (with each lesson's state once enrolled), prerequisites, enroll. */
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../api/client";
import { ApiProblem } from "../api/problem";
import { formatPercent, languageName } from "../i18n/format";
import { t, tp, type MessageKey } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { AsyncView, ErrorMessage, PageTitle, ProgressBar } from "../ui";
import { courseTitles, getCourse, lessonsOf, myEnrollment, myProgress, type CourseProgress, type Enrollment, type LearnerCourse } from "./data";

interface Loaded {
  course: LearnerCourse;
  enrollment: Enrollment | null;
  progress: CourseProgress | null;
  titles: Record<string, string>;
}

async function load(courseId: string): Promise<Loaded> {
  const [course, enrollment] = await Promise.all([getCourse(courseId), myEnrollment(courseId)]);
  const [progress, titles] = await Promise.all([
    enrollment ? myProgress(courseId) : Promise.resolve(null),
    courseTitles(course.prerequisites),
  ]);
  return { course, enrollment, progress, titles };
}

function MissingPrerequisites({ missing }: { missing: string[] }) {
  const titles = useAsync(() => courseTitles(missing), [missing.join(",")]);
  return (
    <div className="state state-error" role="alert">
      <strong>{t("course.blockedTitle")}</strong>
      <span>{t("course.blockedIntro")}</span>
      <ul>
        {missing.map((id) => (
          <li key={id}>
            <Link to={`/courses/${encodeURIComponent(id)}`}>{titles.data?.[id] ?? id}</Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Enroll({ course, onEnrolled }: { course: LearnerCourse; onEnrolled: (e: Enrollment) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const missing =
    error instanceof ApiProblem && error.status === 409 && Array.isArray(error.extra.missing)
      ? (error.extra.missing as unknown[]).filter((m): m is string => typeof m === "string")
      : null;

  async function enroll() {
    setBusy(true);
    setError(null);
    try {
      const enrollment = await unwrap(
        api.POST("/api/v1/courses/{courseId}/enrollments", { params: { path: { courseId: course.id } }, body: {} }),
      );
      onEnrolled(enrollment);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  if (!course.selfEnrollment) return <p className="muted">{t("course.noSelfEnrollment")}</p>;
  return (
    <div className="enroll">
      <button type="button" onClick={() => void enroll()} disabled={busy}>
        {busy ? t("course.enrolling") : t("course.enroll")}
      </button>
      {missing && missing.length > 0 ? <MissingPrerequisites missing={missing} /> : <ErrorMessage error={error} />}
    </div>
  );
}

export default function CoursePage() {
  const { courseId = "" } = useParams();
  const state = useAsync(() => load(courseId), [courseId]);

  return (
    <AsyncView state={state}>
      {({ course, enrollment, progress, titles }) => {
        const lessonState = new Map(progress?.lessons.map((l) => [l.lessonId, l]) ?? []);
        const enrolled = enrollment !== null;
        return (
          <>
            <PageTitle subtitle={course.summary}>{course.title}</PageTitle>
            <dl className="facts">
              <dt>{t("course.level")}</dt>
              <dd>{t(`level.${course.level}` as MessageKey)}</dd>
              <dt>{t("course.language")}</dt>
              <dd>{languageName(course.language)}</dd>
              {course.durationMinutes ? (
                <>
                  <dt>{t("course.duration")}</dt>
                  <dd>{tp("course.minutes", course.durationMinutes)}</dd>
                </>
              ) : null}
              {course.version ? (
                <>
                  <dt>{t("course.version")}</dt>
                  <dd>{enrollment ? enrollment.version : course.version}</dd>
                </>
              ) : null}
            </dl>
            {course.description ? <p className="description">{course.description}</p> : null}

            {course.prerequisites.length > 0 ? (
              <section aria-labelledby="prereq-heading">
                <h2 id="prereq-heading">{t("course.prerequisites")}</h2>
                <ul>
                  {course.prerequisites.map((id) => (
                    <li key={id}>
                      <Link to={`/courses/${encodeURIComponent(id)}`}>{titles[id] ?? id}</Link>
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}

            <section aria-labelledby="enrollment-heading" className="panel">
              <h2 id="enrollment-heading">{t("course.enrollment")}</h2>
              {enrolled ? (
                <>
                  <p role="status">
                    {enrollment.status === "completed" ? t("course.completed") : t("course.enrolled")}
                  </p>
                  {progress ? (
                    <>
                      <ProgressBar value={progress.percent} label={t("course.progressLabel")} />
                      <p>{t("course.percentDone", { percent: formatPercent(progress.percent, true) })}</p>
                    </>
                  ) : null}
                  {(() => {
                    const lessons = lessonsOf(course);
                    const next = lessons.find((l) => lessonState.get(l.id)?.state !== "completed");
                    if (!next || enrollment.status === "completed") return null;
                    const started = lessons.some((l) => (lessonState.get(l.id)?.state ?? "not_started") !== "not_started");
                    return (
                      <Link className="button" to={`/courses/${encodeURIComponent(course.id)}/lessons/${encodeURIComponent(next.id)}`}>
                        {t(started ? "course.continue" : "course.start", { lesson: next.title })}
                      </Link>
                    );
                  })()}
                </>
              ) : (
                <Enroll course={course} onEnrolled={() => state.reload()} />
              )}
            </section>

            <section aria-labelledby="outline-heading">
              <h2 id="outline-heading">{t("course.outline")}</h2>
              {course.outline.modules.length === 0 ? <p className="muted">{t("course.noLessons")}</p> : null}
              {course.outline.modules.map((module) => (
                <div key={module.id} className="module">
                  <h3>{module.title}</h3>
                  <ol className="lessons">
                    {module.lessons.map((lesson) => {
                      const done = lessonState.get(lesson.id);
                      const stateKey = `lessonState.${done?.state ?? "not_started"}` as MessageKey;
                      return (
                        <li key={lesson.id} className="lesson-row">
                          <span className={`kind kind-${lesson.kind}`}>{t(`lessonKind.${lesson.kind}` as MessageKey)}</span>
                          {enrolled ? (
                            <Link to={`/courses/${encodeURIComponent(course.id)}/lessons/${encodeURIComponent(lesson.id)}`}>
                              {lesson.title}
                            </Link>
                          ) : (
                            <span>{lesson.title}</span>
                          )}
                          {lesson.prerequisites.length > 0 ? (
                            <span className="muted">
                              {t("course.lessonAfter", {
                                lessons: lesson.prerequisites
                                  .map((p) => lessonsOf(course).find((l) => l.id === p)?.title ?? p)
                                  .join(", "),
                              })}
                            </span>
                          ) : null}
                          {enrolled ? <span className={`lesson-state state-${done?.state ?? "not_started"}`}>{t(stateKey)}</span> : null}
                        </li>
                      );
                    })}
                  </ol>
                </div>
              ))}
            </section>
          </>
        );
      }}
    </AsyncView>
  );
}
