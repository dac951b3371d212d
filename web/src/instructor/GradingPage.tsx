/** The essay grading queue of a course: submitted attempts with essays, awaiting grading first. */
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, unwrap, type Schemas } from "../api/client";
import { ApiProblem } from "../api/problem";
import { useSignedIn } from "../auth/session";
import { formatDateTime, formatNumber, formatPercent } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { allPages } from "../staff/api";
import { StatusTag } from "../staff/kit";
import { AsyncView, Field, PageTitle } from "../ui";
import { findAttempts, withEssays, type Attempt } from "./grading";
import { attemptStatusLabel } from "./labels";
import { allLessons, parseOutline } from "./outline";

const MAX_LEARNERS = 500;
const ATTEMPTS_LIMIT = 100; // the most a quiz allows; reads stop at the first attempt not made

async function readAttempt(attemptId: string): Promise<Attempt | null> {
  try {
    return await unwrap(api.GET("/api/v1/attempts/{attemptId}", { params: { path: { attemptId } } }));
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) return null;
    throw error;
  }
}

async function loadQueue(tenantId: string, courseId: string) {
  const course = await unwrap(api.GET("/api/v1/courses/{courseId}", { params: { path: { courseId } } }));
  const quizLessons = allLessons(parseOutline(course.outline))
    .filter((l) => l.kind === "quiz")
    .map((l) => ({ id: l.id, title: l.title }));
  let roster: { items: Schemas["EnrollmentView"][]; truncated: boolean } = { items: [], truncated: false };
  try {
    roster = await allPages(
      (continuation) =>
        unwrap(api.GET("/api/v1/courses/{courseId}/enrollments", { params: { path: { courseId }, query: { limit: 100, continuation } } })),
      MAX_LEARNERS,
    );
  } catch (error) {
    // A course never published has no roster (404), so no attempts either.
    if (!(error instanceof ApiProblem && error.status === 404)) throw error;
  }
  const attempts = await findAttempts(
    {
      tenantId,
      courseId,
      quizLessons: quizLessons.map((l) => l.id),
      learners: [...new Set(roster.items.map((e) => e.userId))],
      maxAttempts: ATTEMPTS_LIMIT,
    },
    readAttempt,
  );
  return { attempts: withEssays(attempts), lessons: new Map(quizLessons.map((l) => [l.id, l.title])), truncated: roster.truncated };
}

function Queue({ courseId }: { courseId: string }) {
  const session = useSignedIn();
  const [showGraded, setShowGraded] = useState(false);
  const queue = useAsync(() => loadQueue(session.tenantId, courseId), [session.tenantId, courseId]);
  return (
    <AsyncView state={queue}>
      {({ attempts, lessons, truncated }) => {
        const shown = showGraded ? attempts : attempts.filter((a) => a.status === "awaiting_grading");
        const waiting = attempts.filter((a) => a.status === "awaiting_grading").length;
        return (
          <>
            <div className="toolbar">
              <span role="status">{t("instructor.grading.waiting", { count: formatNumber(waiting) })}</span>
              <label className="checkbox">
                <input type="checkbox" checked={showGraded} onChange={(e) => setShowGraded(e.target.checked)} />
                {t("instructor.grading.showGraded")}
              </label>
              <button type="button" className="button-secondary" onClick={queue.reload}>
                {t("instructor.grading.refresh")}
              </button>
            </div>
            {truncated ? <p className="muted">{t("instructor.grading.truncated", { count: formatNumber(MAX_LEARNERS) })}</p> : null}
            {shown.length === 0 ? (
              <p className="state state-empty">{t("instructor.grading.none")}</p>
            ) : (
              <div className="table-wrap">
                <table className="table">
                  <caption className="visually-hidden">{t("instructor.nav.grading")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("instructor.grading.learner")}</th>
                      <th scope="col">{t("instructor.grading.quiz")}</th>
                      <th scope="col" className="num">
                        {t("instructor.grading.attempt")}
                      </th>
                      <th scope="col">{t("instructor.grading.submitted")}</th>
                      <th scope="col">{t("instructor.grading.status")}</th>
                      <th scope="col" className="num">
                        {t("instructor.grading.score")}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((a) => (
                      <tr key={a.id}>
                        <td>
                          <Link to={`/instructor/grading/${encodeURIComponent(a.id)}`}>
                            {t("instructor.grading.open", { learner: a.userId })}
                          </Link>
                        </td>
                        <td>{lessons.get(a.lessonId) ?? a.lessonId}</td>
                        <td className="num">{formatNumber(a.number)}</td>
                        <td>{a.submittedAt ? formatDateTime(a.submittedAt) : "—"}</td>
                        <td>
                          <StatusTag status={a.status} label={attemptStatusLabel(a.status)} />
                        </td>
                        <td className="num">{a.status === "graded" && a.score != null ? formatPercent(a.score / 100) : "—"}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        );
      }}
    </AsyncView>
  );
}

function OpenById() {
  const navigate = useNavigate();
  const [id, setId] = useState("");
  function submit(event: FormEvent) {
    event.preventDefault();
    if (id.trim()) navigate(`/instructor/grading/${encodeURIComponent(id.trim())}`);
  }
  return (
    <form className="form-inline section" onSubmit={submit} aria-label={t("instructor.grading.openById")}>
      <Field label={t("instructor.grading.byId")} hint={t("instructor.grading.byIdHint")}>
        {(props) => <input {...props} value={id} onChange={(e) => setId(e.target.value)} />}
      </Field>
      <button type="submit" className="button-secondary" disabled={!id.trim()}>
        {t("instructor.grading.openById")}
      </button>
    </form>
  );
}

export default function GradingPage() {
  const [params, setParams] = useSearchParams();
  const courseId = params.get("courseId") ?? "";
  const courses = useAsync(() => unwrap(api.GET("/api/v1/courses", { params: { query: { limit: 200 } } })), []);
  return (
    <>
      <PageTitle subtitle={t("instructor.grading.intro")}>{t("instructor.nav.grading")}</PageTitle>
      <AsyncView state={courses} isEmpty={(c) => c.items.length === 0} empty={t("instructor.course.none")}>
        {(c) => (
          <div className="form-inline">
            <Field label={t("instructor.grading.course")}>
              {(props) => (
                <select {...props} value={courseId} onChange={(e) => setParams(e.target.value ? { courseId: e.target.value } : {})}>
                  <option value="">{t("instructor.grading.chooseCourse")}</option>
                  {c.items.map((course) => (
                    <option key={course.id} value={course.id}>
                      {course.title}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        )}
      </AsyncView>
      {courseId ? <Queue key={courseId} courseId={courseId} /> : null}
      <OpenById />
    </>
  );
}
