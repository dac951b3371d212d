/** The essay grading queue of a course: submitted attempts with essays, the oldest waiting first. */
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, unwrap } from "../api/client";
import { formatDateTime, formatNumber, formatPercent } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { Pager, StatusTag, useContinuation } from "../staff/kit";
import { AsyncView, Field, PageTitle } from "../ui";
import { queuePage, type QueueView } from "./grading";
import { attemptStatusLabel } from "./labels";
import { allLessons, parseOutline } from "./outline";

const PAGE_SIZE = 25;

async function quizLessonsOf(courseId: string): Promise<{ id: string; title: string }[]> {
  const course = await unwrap(api.GET("/api/v1/courses/{courseId}", { params: { path: { courseId } } }));
  return allLessons(parseOutline(course.outline))
    .filter((l) => l.kind === "quiz")
    .map((l) => ({ id: l.id, title: l.title }));
}

function loadPage(courseId: string, view: QueueView, lessonId: string, token: string | null) {
  return queuePage(
    (continuation) =>
      unwrap(
        api.GET("/api/v1/courses/{courseId}/attempts", {
          params: { path: { courseId }, query: { status: view, lessonId: lessonId || undefined, limit: PAGE_SIZE, continuation } },
        }),
      ),
    token ?? undefined,
    PAGE_SIZE,
  );
}

function Queue({ courseId }: { courseId: string }) {
  const [view, setView] = useState<QueueView>("awaiting_grading");
  const [lessonId, setLessonId] = useState("");
  const paging = useContinuation();
  const lessons = useAsync(() => quizLessonsOf(courseId), [courseId]);
  const queue = useAsync(() => loadPage(courseId, view, lessonId, paging.token), [courseId, view, lessonId, paging.token]);
  const titles = new Map((lessons.data ?? []).map((l) => [l.id, l.title]));
  return (
    <>
      <div className="form-inline">
        <Field label={t("instructor.grading.show")}>
          {(props) => (
            <select
              {...props}
              value={view}
              onChange={(e) => {
                setView(e.target.value as QueueView);
                paging.reset();
              }}
            >
              <option value="awaiting_grading">{t("instructor.grading.showWaiting")}</option>
              <option value="graded">{t("instructor.grading.showGraded")}</option>
            </select>
          )}
        </Field>
        <Field label={t("instructor.grading.quiz")}>
          {(props) => (
            <select
              {...props}
              value={lessonId}
              onChange={(e) => {
                setLessonId(e.target.value);
                paging.reset();
              }}
            >
              <option value="">{t("instructor.grading.allQuizzes")}</option>
              {(lessons.data ?? []).map((l) => (
                <option key={l.id} value={l.id}>
                  {l.title}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <AsyncView state={queue}>
        {({ items, continuation }) => {
          const waiting = items.filter((a) => a.status === "awaiting_grading").length;
          const more = paging.page > 1 || Boolean(continuation);
          return (
            <>
              <div className="toolbar">
                <span role="status">
                  {view === "awaiting_grading"
                    ? t(more ? "instructor.grading.waitingOnPage" : "instructor.grading.waiting", { count: formatNumber(waiting) })
                    : t(more ? "instructor.grading.gradedOnPage" : "instructor.grading.gradedCount", { count: formatNumber(items.length) })}
                </span>
                <button type="button" className="button-secondary" onClick={queue.reload}>
                  {t("instructor.grading.refresh")}
                </button>
              </div>
              {items.length === 0 ? (
                <p className="state state-empty">{t(view === "awaiting_grading" ? "instructor.grading.none" : "instructor.grading.noneGraded")}</p>
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
                          {t("instructor.grading.essaysLeft")}
                        </th>
                        <th scope="col" className="num">
                          {t("instructor.grading.score")}
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {items.map((a) => (
                        <tr key={a.id}>
                          <td>
                            <Link to={`/instructor/grading/${encodeURIComponent(a.id)}`}>
                              {t("instructor.grading.open", { learner: a.userId })}
                            </Link>
                          </td>
                          <td>{titles.get(a.lessonId) ?? a.lessonId}</td>
                          <td className="num">{formatNumber(a.number)}</td>
                          <td>{a.submittedAt ? formatDateTime(a.submittedAt) : "—"}</td>
                          <td>
                            <StatusTag status={a.status} label={attemptStatusLabel(a.status)} />
                          </td>
                          <td className="num">{formatNumber(a.ungradedEssayQuestionIds.length)}</td>
                          <td className="num">{a.status === "graded" && a.score != null ? formatPercent(a.score / 100) : "—"}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <Pager page={paging.page} continuation={continuation} onNext={paging.next} onPrevious={paging.previous} />
            </>
          );
        }}
      </AsyncView>
    </>
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
