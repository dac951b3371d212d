/** My learning: each enrollment with its progress and what is still missing, and the certificates earned. */
import { useState } from "react";
import { Link } from "react-router";
import { api, authorizedFetch, unwrap, type Schemas } from "../api/client";
import { formatDate, formatPercent } from "../i18n/format";
import { t, type MessageKey } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { AsyncView, ErrorMessage, PageTitle, ProgressBar } from "../ui";
import { getCourse, lessonsOf, myEnrollments, myProgress, type CourseProgress, type Enrollment, type LearnerCourse } from "./data";

type Certificate = Schemas["CertificateView"];

interface Row {
  enrollment: Enrollment;
  course: LearnerCourse | null;
  progress: CourseProgress | null;
}

async function loadRows(): Promise<Row[]> {
  const enrollments = (await myEnrollments()).filter((e) => e.status !== "cancelled");
  return Promise.all(
    enrollments.map(async (enrollment) => {
      const [course, progress] = await Promise.all([
        getCourse(enrollment.courseId).catch(() => null),
        myProgress(enrollment.courseId).catch(() => null),
      ]);
      return { enrollment, course, progress };
    }),
  );
}

async function loadCertificates(): Promise<Certificate[]> {
  const page = await unwrap(api.GET("/api/v1/me/certificates", { params: { query: { limit: 200 } } }));
  return page.items;
}

/** The public page of a certificate in this app (what a learner shares). */
export function verificationPageUrl(code: string): string {
  return `${window.location.origin}/verify/${encodeURIComponent(code)}`;
}

function Enrollments() {
  const rows = useAsync(loadRows, []);
  return (
    <section aria-labelledby="courses-heading">
      <h2 id="courses-heading">{t("my.courses")}</h2>
      <AsyncView state={rows} isEmpty={(r) => r.length === 0} empty={<>{t("my.noCourses")} <Link to="/">{t("my.browse")}</Link></>}>
        {(list) => (
          <ul className="list">
            {list.map(({ enrollment, course, progress }) => {
              const titles = new Map(course ? lessonsOf(course).map((l) => [l.id, l.title]) : []);
              const percent = progress?.percent ?? 0;
              return (
                <li key={enrollment.id} className="enrollment">
                  <h3>
                    <Link to={`/courses/${encodeURIComponent(enrollment.courseId)}`}>{course?.title ?? enrollment.courseId}</Link>
                  </h3>
                  <p className="muted">
                    {t(`enrollmentStatus.${enrollment.status}` as MessageKey)} · {t("my.enrolledOn", { date: formatDate(enrollment.enrolledAt) })}
                    {enrollment.dueDate ? ` · ${t("my.due", { date: formatDate(enrollment.dueDate) })}` : ""}
                  </p>
                  <ProgressBar value={percent} label={t("my.progressOf", { course: course?.title ?? enrollment.courseId })} />
                  <p>{t("course.percentDone", { percent: formatPercent(percent, true) })}</p>
                  {progress && progress.missing.length > 0 ? (
                    <p>
                      {t("my.missing")}{" "}
                      {progress.missing.map((id, i) => (
                        <span key={id}>
                          {i > 0 ? ", " : null}
                          <Link to={`/courses/${encodeURIComponent(enrollment.courseId)}/lessons/${encodeURIComponent(id)}`}>
                            {titles.get(id) ?? id}
                          </Link>
                        </span>
                      ))}
                    </p>
                  ) : progress?.state === "completed" ? (
                    <p className="muted">{t("my.completedOn", { date: formatDate(progress.completedAt ?? enrollment.completedAt ?? enrollment.updatedAt) })}</p>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </AsyncView>
    </section>
  );
}

function CopyLink({ url }: { url: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button-secondary"
      onClick={() => {
        void navigator.clipboard?.writeText(url).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? t("common.copied") : t("my.copyLink")}
    </button>
  );
}

function CertificateItem({ certificate }: { certificate: Certificate }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const link = verificationPageUrl(certificate.verificationCode);
  const inputId = `link-${certificate.id}`;

  async function download() {
    setBusy(true);
    setError(null);
    try {
      // The route redirects to a short-lived signed URL of the PDF; fetch follows it.
      const response = await authorizedFetch(`/api/v1/certificates/${encodeURIComponent(certificate.id)}/pdf`);
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = `certificate-${certificate.courseId}.pdf`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="certificate">
      <h3>{certificate.courseTitle}</h3>
      <p className="muted">
        {t("my.issuedOn", { date: formatDate(certificate.issuedAt) })} · {t(`certificateStatus.${certificate.status}` as MessageKey)}
        {certificate.revokedAt ? ` · ${certificate.revocationReason ?? ""}` : ""}
      </p>
      <div className="form-inline">
        <button type="button" onClick={() => void download()} disabled={busy}>
          {busy ? t("my.downloading") : t("my.downloadPdf")}
        </button>
        <div className="field">
          <label htmlFor={inputId}>{t("my.verificationLink")}</label>
          <input id={inputId} readOnly value={link} size={48} onFocus={(e) => e.target.select()} />
        </div>
        <CopyLink url={link} />
        <Link to={`/verify/${encodeURIComponent(certificate.verificationCode)}`}>{t("my.openVerification")}</Link>
      </div>
      <ErrorMessage error={error} />
    </li>
  );
}

function Certificates() {
  const certificates = useAsync(loadCertificates, []);
  return (
    <section aria-labelledby="certificates-heading">
      <h2 id="certificates-heading">{t("my.certificates")}</h2>
      <AsyncView state={certificates} isEmpty={(c) => c.length === 0} empty={t("my.noCertificates")}>
        {(list) => (
          <ul className="list">
            {list.map((c) => (
              <CertificateItem key={c.id} certificate={c} />
            ))}
          </ul>
        )}
      </AsyncView>
    </section>
  );
}

export default function MyLearningPage() {
  return (
    <>
      <PageTitle>{t("nav.myLearning")}</PageTitle>
      <Enrollments />
      <Certificates />
    </>
  );
}
