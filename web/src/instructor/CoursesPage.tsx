/** The tenant's courses as their authors see them (drafts too), and creating one. */
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { api, unwrap, type Schemas } from "../api/client";
import { formatNumber } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { FormFooter, Options } from "../staff/forms";
import { fieldErrorsOf, StatusTag, useAction, useContinuation } from "../staff/kit";
import { PagedTable } from "../staff/tables";
import { Field, PageTitle } from "../ui";
import { courseStatusLabel, LEVELS, levelLabel } from "./labels";

const PAGE_SIZE = 25;

function CreateCourse() {
  const navigate = useNavigate();
  const action = useAction();
  const [title, setTitle] = useState("");
  const [id, setId] = useState("");
  const [summary, setSummary] = useState("");
  const [level, setLevel] = useState<(typeof LEVELS)[number]>("beginner");
  const errors = fieldErrorsOf(action.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body: Schemas["CourseCreate"] = {
      title,
      summary,
      level,
      description: "",
      language: "en",
      selfEnrollment: true,
      ...(id.trim() ? { id: id.trim() } : {}),
    };
    const created = await action.run(() => unwrap(api.POST("/api/v1/courses", { body })));
    if (created) navigate(`/instructor/courses/${encodeURIComponent(created.id)}/outline`);
  }

  return (
    <form className="form section" onSubmit={submit} aria-labelledby="create-course-title" noValidate>
      <h2 id="create-course-title">{t("instructor.course.create")}</h2>
      <Field label={t("instructor.course.title")} error={errors.title}>
        {(props) => <input {...props} required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />}
      </Field>
      <Field label={t("instructor.course.id")} hint={t("instructor.course.idHint")} error={errors.id}>
        {(props) => <input {...props} value={id} pattern="[A-Za-z0-9][A-Za-z0-9_-]{0,63}" onChange={(e) => setId(e.target.value)} />}
      </Field>
      <Field label={t("instructor.course.summary")} error={errors.summary}>
        {(props) => <textarea {...props} maxLength={500} value={summary} onChange={(e) => setSummary(e.target.value)} />}
      </Field>
      <Field label={t("instructor.course.level")} error={errors.level}>
        {(props) => (
          <select {...props} value={level} onChange={(e) => setLevel(e.target.value as (typeof LEVELS)[number])}>
            <Options values={LEVELS} label={levelLabel} />
          </select>
        )}
      </Field>
      <FormFooter action={action} submit={t("instructor.course.createSubmit")} busyLabel={t("staff.saving")} />
    </form>
  );
}

export default function CoursesPage() {
  const paging = useContinuation();
  const courses = useAsync(
    () => unwrap(api.GET("/api/v1/courses", { params: { query: { limit: PAGE_SIZE, continuation: paging.token ?? undefined } } })),
    [paging.token],
  );
  return (
    <>
      <PageTitle>{t("instructor.courses")}</PageTitle>
      <PagedTable
        state={courses}
        paging={paging}
        empty={t("instructor.course.none")}
        caption={t("instructor.courses")}
        columns={[
          t("instructor.course.title"),
          t("instructor.course.status"),
          { label: t("instructor.course.latestVersion"), num: true },
          t("instructor.course.level"),
          { label: t("staff.actions"), hidden: true },
        ]}
        row={(course) => (
          <tr>
            <td>
              <Link to={`/instructor/courses/${encodeURIComponent(course.id)}`}>{course.title}</Link>
              <div className="outline-id">{course.id}</div>
            </td>
            <td>{course.status ? <StatusTag status={course.status} label={courseStatusLabel(course.status)} /> : null}</td>
            <td className="num">{course.latestVersion != null ? formatNumber(course.latestVersion) : "—"}</td>
            <td>{levelLabel(course.level)}</td>
            <td>
              <Link to={`/instructor/courses/${encodeURIComponent(course.id)}/report`}>{t("instructor.report.link")}</Link>
            </td>
          </tr>
        )}
      />
      <CreateCourse />
    </>
  );
}
