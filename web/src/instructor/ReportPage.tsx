/**
 * The course report with charts: the enrollment and completion funnel, the learners' progress
 * distribution, each quiz's score distribution, drop-off by lesson and time on task.
 */
import { api, unwrap, type Schemas } from "../api/client";
import { ApiProblem } from "../api/problem";
import { formatDateTime, formatDuration, formatNumber, formatPercent } from "../i18n/format";
import { t, tp } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { allPages } from "../staff/api";
import { BarFigure, CHART_COLORS } from "../staff/charts";
import { Kpis } from "../staff/tables";
import { AsyncView, PageTitle } from "../ui";
import { useCourse } from "./CourseLayout";
import { funnel, hasActivity, lessonRows, progressHistogram, scoreBuckets, type Bucket } from "./report";

const MAX_LEARNERS = 500;
const CONCURRENCY = 6;

function range(bucket: Bucket): string {
  return t("instructor.report.range", { from: formatPercent(bucket.min / 100), to: formatPercent(bucket.max / 100) });
}

async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Each enrolled learner's course progress (percent), from the roster and the progress route. */
async function learnerPercents(courseId: string): Promise<{ percents: number[]; truncated: boolean }> {
  let roster: { items: Schemas["EnrollmentView"][]; truncated: boolean };
  try {
    roster = await allPages(
      (continuation) =>
        unwrap(api.GET("/api/v1/courses/{courseId}/enrollments", { params: { path: { courseId }, query: { limit: 100, continuation } } })),
      MAX_LEARNERS,
    );
  } catch (error) {
    // A course never published has no roster (404): nobody can have enrolled.
    if (error instanceof ApiProblem && error.status === 404) return { percents: [], truncated: false };
    throw error;
  }
  const enrolled = roster.items.filter((e) => e.status !== "cancelled");
  const percents = await mapLimited(enrolled, CONCURRENCY, async (e) => {
    try {
      const progress = await unwrap(
        api.GET("/api/v1/courses/{courseId}/progress/{userId}", { params: { path: { courseId, userId: e.userId } } }),
      );
      return progress.percent;
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 404) return 0; // enrolled, nothing recorded yet
      throw error;
    }
  });
  return { percents, truncated: roster.truncated };
}

function ProgressDistribution({ courseId }: { courseId: string }) {
  const state = useAsync(() => learnerPercents(courseId), [courseId]);
  return (
    <AsyncView state={state}>
      {(d) => (
        <BarFigure
          title={t("instructor.report.progressTitle")}
          empty={t("instructor.report.noLearners")}
          description={
            d.truncated
              ? tp("instructor.report.progressFirst", d.percents.length)
              : tp("instructor.report.progressOf", d.percents.length)
          }
          rows={d.percents.length ? progressHistogram(d.percents) : []}
          category={range}
          series={[{ key: "count", label: t("instructor.report.learners"), color: CHART_COLORS[0] }]}
        />
      )}
    </AsyncView>
  );
}

export default function ReportPage() {
  const { course } = useCourse();
  const report = useAsync(() => unwrap(api.GET("/api/v1/reports/courses/{courseId}", { params: { path: { courseId: course.id } } })), [course.id]);
  return (
    <>
      <PageTitle subtitle={t("instructor.report.intro")}>{t("instructor.report.title")}</PageTitle>
      <AsyncView state={report}>
        {(r) => {
          const rows = lessonRows(r);
          return (
            <>
              <Kpis
                label={t("instructor.report.summary")}
                items={[
                  [formatNumber(r.enrollments), t("instructor.report.enrolled")],
                  [formatPercent(r.completionRate / 100), t("instructor.report.completionRate")],
                  [formatPercent(r.averageProgress / 100), t("instructor.report.averageProgress")],
                  [formatDuration(r.averageActiveSeconds), t("instructor.report.averageTime")],
                ]}
              />
              <p className="muted">
                {r.version != null ? t("instructor.report.version", { version: formatNumber(r.version) }) : t("instructor.report.unpublished")}
                {r.updatedAt ? ` · ${t("instructor.report.updated", { at: formatDateTime(r.updatedAt) })}` : ""}
              </p>
              {!hasActivity(r) ? <p className="state state-empty">{t("instructor.report.empty")}</p> : null}
              <div className="charts">
                <BarFigure
                  title={t("instructor.report.funnelTitle")}
                  description={t("instructor.report.funnelHint")}
                  rows={funnel(r)}
                  category={(s) => t(`instructor.report.step.${s.step}`)}
                  series={[{ key: "learners", label: t("instructor.report.learners"), color: CHART_COLORS[0] }]}
                  horizontal
                />
                <ProgressDistribution courseId={course.id} />
              </div>
              <BarFigure
                title={t("instructor.report.dropOffTitle")}
                description={t("instructor.report.dropOffHint")}
                rows={rows}
                empty={t("instructor.report.noLessons")}
                category={(l) => l.label}
                series={[
                  { key: "started", label: t("instructor.report.started"), color: CHART_COLORS[0] },
                  { key: "completed", label: t("instructor.report.completed"), color: CHART_COLORS[2] },
                  { key: "stoppedHere", label: t("instructor.report.stoppedHere"), color: CHART_COLORS[1] },
                ]}
                horizontal
              />
              <BarFigure
                title={t("instructor.report.timeTitle")}
                description={t("instructor.report.timeHint", { total: formatDuration(r.totalActiveSeconds) })}
                rows={rows}
                empty={t("instructor.report.noLessons")}
                category={(l) => l.label}
                series={[{ key: "averageMinutes", label: t("instructor.report.minutes"), color: CHART_COLORS[3] }]}
                format={(v) => formatNumber(v)}
                horizontal
              />
              {r.quizzes.length === 0 ? <p className="muted">{t("instructor.report.noQuizzes")}</p> : null}
              <div className="charts">
                {r.quizzes.map((q) => (
                  <BarFigure
                    key={q.lessonId}
                    title={t("instructor.report.quizTitle", { quiz: q.title ?? q.lessonId })}
                    description={t("instructor.report.quizHint", {
                      attempts: tp("instructor.report.gradedAttempts", q.attempts),
                      mean: formatPercent(q.meanScore / 100),
                      pass: formatPercent(q.passRate / 100),
                    })}
                    rows={scoreBuckets(q)}
                    category={range}
                    series={[{ key: "count", label: t("instructor.report.attempts"), color: CHART_COLORS[4] }]}
                  />
                ))}
              </div>
            </>
          );
        }}
      </AsyncView>
    </>
  );
}
