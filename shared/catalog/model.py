"""Courses, their outlines and published versions, and learning paths: models and rules.

A course is edited as a draft. Publishing copies the draft into an immutable numbered
version; learners only ever see published versions, and an enrollment pins the version
it started on. The rules here are pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from shared.errors import InvalidInput
from shared.kernel import MULTILINE, HttpsUrl, InputModel, OutputModel, PatchModel, ResourceId, ShortText
from shared.platform.blobs import validate_blob_name
from shared.platform.documents import ContainerSpec, Order
from shared.platform.stored import StoredDocument

__all__ = [
    "COURSES",
    "COURSES_CONTAINER",
    "PATHS",
    "PATHS_CONTAINER",
    "CourseCreate",
    "CoursePatch",
    "CourseSummary",
    "CourseVersionView",
    "CourseView",
    "Lesson",
    "Module",
    "Outline",
    "PathCreate",
    "PathView",
    "Price",
    "PublishedVersion",
    "StoredCourse",
    "StoredLesson",
    "StoredModule",
    "StoredOutline",
    "StoredPath",
    "StoredPrice",
    "StoredVersion",
    "content_of",
    "lesson_ids",
    "search_projection",
    "version_id",
]

COURSES = "courses"
PATHS = "paths"
BY_ID = (Order("id"),)
COURSES_CONTAINER = ContainerSpec(COURSES, orderings=(BY_ID,), filters=("type", "status"))
PATHS_CONTAINER = ContainerSpec(PATHS, orderings=(BY_ID,), filters=("status",))

LessonKind = Literal["video", "text", "quiz", "scorm"]
Level = Literal["beginner", "intermediate", "advanced"]
CourseStatus = Literal["draft", "published", "unpublished"]
StoredStatus = Literal["draft", "published", "unpublished", "deleted"]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=40, to_lower=True)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Summary = Annotated[str, StringConstraints(max_length=500), MULTILINE]
Description = Annotated[str, StringConstraints(max_length=20_000), MULTILINE]

MAX_MODULES = 100
MAX_LESSONS = 500

# The draft's content fields: what publishing copies into a version.
CONTENT_FIELDS = (
    "title",
    "summary",
    "description",
    "language",
    "tags",
    "level",
    "durationMinutes",
    "imageUrl",
    "price",
    "selfEnrollment",
    "prerequisites",
    "outline",
)


class Price(InputModel):
    amount: Annotated[int, Field(gt=0, le=100_000_000, description="in the currency's minor unit (cents)")]
    currency: Currency


class ScormPackage(InputModel):
    container: Annotated[str, StringConstraints(min_length=3, max_length=63)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=1024)]

    @model_validator(mode="after")
    def _valid_blob(self) -> ScormPackage:
        try:
            validate_blob_name(self.container, self.name)
        except InvalidInput as exc:
            raise ValueError(exc.detail) from exc
        return self


class Lesson(InputModel):
    id: ResourceId
    title: ShortText
    kind: LessonKind
    required: bool = True
    durationSeconds: Annotated[int, Field(ge=0, le=24 * 3600)] | None = None
    prerequisites: list[ResourceId] = Field(default_factory=list, max_length=50)
    package: ScormPackage | None = Field(default=None, description="the SCORM package (scorm lessons only)")
    text: Description | None = Field(default=None, description="the lesson's text (text lessons)")

    @model_validator(mode="after")
    def _package_matches_kind(self) -> Lesson:
        if (self.kind == "scorm") != (self.package is not None):
            raise ValueError("a scorm lesson needs a package, and only a scorm lesson has one")
        return self


class Module(InputModel):
    id: ResourceId
    title: ShortText
    lessons: list[Lesson] = Field(default_factory=list, max_length=MAX_LESSONS)


class Outline(InputModel):
    """Modules and lessons in order; lesson prerequisites name lessons of the same outline."""

    modules: list[Module] = Field(default_factory=list, max_length=MAX_MODULES)

    @model_validator(mode="after")
    def _consistent(self) -> Outline:
        check_outline(self)
        return self


def check_outline(outline: Outline) -> None:
    """Unique ids, prerequisites that exist and come earlier (so there is no cycle)."""
    module_ids = [m.id for m in outline.modules]
    if len(set(module_ids)) != len(module_ids):
        raise ValueError("module ids must be unique")
    seen: set[str] = set()
    lessons = [lesson for m in outline.modules for lesson in m.lessons]
    if len(lessons) > MAX_LESSONS:
        raise ValueError(f"an outline has at most {MAX_LESSONS} lessons")
    for lesson in lessons:
        if lesson.id in seen:
            raise ValueError(f"lesson id {lesson.id!r} is used twice")
        missing = [p for p in lesson.prerequisites if p not in seen]
        if missing:
            raise ValueError(
                f"lesson {lesson.id!r} requires {', '.join(missing)}, which must be earlier lessons of the outline"
            )
        seen.add(lesson.id)


class CourseCreate(InputModel):
    id: ResourceId | None = None
    title: ShortText
    summary: Summary = ""
    description: Description = ""
    language: Language = "en"
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    level: Level = "beginner"
    durationMinutes: Annotated[int, Field(ge=0, le=100_000)] | None = None
    imageUrl: HttpsUrl | None = None
    price: Price | None = Field(default=None, description="null: free")
    selfEnrollment: bool = Field(default=True, description="learners may enroll themselves (free courses)")
    prerequisites: list[ResourceId] = Field(default_factory=list, max_length=20, description="course ids")

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, tags: list[str]) -> list[str]:
        return list(dict.fromkeys(tags))


class CoursePatch(PatchModel):
    NULLABLE = frozenset({"durationMinutes", "imageUrl", "price"})

    title: ShortText | None = None
    summary: Summary | None = None
    description: Description | None = None
    language: Language | None = None
    tags: list[Tag] | None = Field(default=None, max_length=20)
    level: Level | None = None
    durationMinutes: Annotated[int, Field(ge=0, le=100_000)] | None = None
    imageUrl: HttpsUrl | None = None
    price: Price | None = None
    selfEnrollment: bool | None = None
    prerequisites: list[ResourceId] | None = Field(default=None, max_length=20)


class CourseContent(OutputModel):
    title: str
    summary: str
    description: str
    language: str
    tags: list[str]
    level: str
    durationMinutes: int | None
    imageUrl: str | None
    price: dict[str, Any] | None
    selfEnrollment: bool
    prerequisites: list[str]
    outline: dict[str, Any]


class CourseSummary(OutputModel):
    """A course in a list: what a catalog page shows, without the outline."""

    id: str
    title: str
    summary: str
    language: str
    tags: list[str]
    level: str
    durationMinutes: int | None
    imageUrl: str | None
    price: dict[str, Any] | None
    selfEnrollment: bool
    version: int | None = Field(default=None, description="the published version shown (learners)")
    status: CourseStatus | None = Field(default=None, description="where publishing stands (authors)")
    latestVersion: int | None = Field(default=None, description="the newest published version (authors)")


class CourseView(CourseContent):
    """The draft as its authors see it, with where publishing stands."""

    id: str
    status: CourseStatus
    latestVersion: int | None = Field(description="the newest published version, if any")
    createdAt: str
    updatedAt: str


class CourseVersionView(CourseContent):
    """One published, immutable version of a course: what learners see."""

    id: str
    version: int
    publishedAt: str


# --- stored documents ---------------------------------------------------------------------------
# The ``courses`` container holds two kinds: a course (its draft, where publishing stands, and the
# version learners see now) and its archived published versions. Their content fields are stored as
# the input models dumped them; read leniently (what was validated on the way in stays readable).


class _Stored(BaseModel):
    """A part of a stored document: unknown fields are kept, as in ``StoredDocument``."""

    model_config = ConfigDict(extra="allow")


class StoredPrice(_Stored):
    amount: int
    currency: str


class StoredPackage(_Stored):
    container: str
    name: str


class StoredLesson(_Stored):
    id: str
    title: str
    kind: str
    required: bool = True
    durationSeconds: int | None = None
    prerequisites: list[str] = Field(default_factory=list)
    package: StoredPackage | None = None
    text: str | None = None


class StoredModule(_Stored):
    id: str
    title: str
    lessons: list[StoredLesson] = Field(default_factory=list)


class StoredOutline(_Stored):
    modules: list[StoredModule] = Field(default_factory=list)

    def lessons(self) -> list[StoredLesson]:
        """Every lesson, in order."""
        return [lesson for module in self.modules for lesson in module.lessons]


class StoredContent(_Stored):
    """The content fields of a course: what a draft holds and publishing copies into a version."""

    title: str
    summary: str = ""
    description: str = ""
    language: str = "en"
    tags: list[str] = Field(default_factory=list)
    level: str = "beginner"
    durationMinutes: int | None = None
    imageUrl: str | None = None
    price: StoredPrice | None = None
    selfEnrollment: bool = True
    prerequisites: list[str] = Field(default_factory=list)
    outline: StoredOutline = Field(default_factory=StoredOutline)

    def content(self) -> StoredContent:
        """The content fields alone (the draft's, as publishing copies them)."""
        return StoredContent.model_validate(self.model_dump(mode="json", include=set(CONTENT_FIELDS)))


class PublishedVersion(StoredContent):
    """A published, immutable version of a course: the one a course shows now (``published``) and
    each archived ``version`` document."""

    version: int
    publishedAt: str
    publishedBy: str | None = None


class StoredCourse(StoredDocument, StoredContent):
    """A course: its draft content, where publishing stands, and the version learners see now."""

    KIND: ClassVar[str] = "course"
    type: Literal["course"] = "course"
    status: StoredStatus = "draft"
    latestVersion: int | None = None
    published: PublishedVersion | None = None
    createdBy: str | None = None
    createdAt: str
    updatedAt: str


class StoredVersion(StoredDocument, PublishedVersion):
    """An archived published version, kept for the enrollments pinned to it (created, never replaced)."""

    KIND: ClassVar[str] = "version"
    type: Literal["version"] = "version"
    courseId: str


class StoredPath(StoredDocument):
    """A learning path (its documents have no ``type``: the ``paths`` container holds one kind)."""

    title: str
    description: str = ""
    courses: list[str]
    status: Literal["draft", "published"] = "draft"
    createdAt: str
    updatedAt: str


def version_id(course_id: str, version: int) -> str:
    return f"{course_id}.v{version}"


def content_of(doc: Mapping[str, Any] | StoredContent) -> dict[str, Any]:
    """The content fields of a draft, as publishing copies them."""
    if isinstance(doc, StoredContent):
        return doc.content().model_dump(mode="json")
    return {field: doc[field] for field in CONTENT_FIELDS}


def lesson_ids(outline: Mapping[str, Any] | StoredOutline) -> list[str]:
    """Every lesson id of an outline, in order."""
    if not isinstance(outline, StoredOutline):
        outline = StoredOutline.model_validate(outline)
    return [lesson.id for lesson in outline.lessons()]


def search_projection(doc: StoredCourse | Mapping[str, Any]) -> dict[str, Any] | None:
    """The search document of a changed course, or None when it must not be findable
    (a draft never published, unpublished, or deleted, or another kind of document of the
    courses container). Only published content is used. A mapping is a raw change-feed document."""
    if not isinstance(doc, StoredCourse):
        if doc.get("type") != StoredCourse.KIND:
            return None
        doc = StoredCourse.model_validate(doc)
    published = doc.published
    if doc.status != "published" or published is None:
        return None
    return {
        "id": doc.id,
        "tenantId": doc.tenantId,
        "version": published.version,
        "title": published.title,
        "summary": published.summary,
        "description": published.description,
        "tags": published.tags,
        "lessonTitles": [lesson.title for lesson in published.outline.lessons()],
        "level": published.level,
        "language": published.language,
        "free": published.price is None,
    }


class PathCreate(InputModel):
    id: ResourceId | None = None
    title: ShortText
    description: Description = ""
    courses: list[ResourceId] = Field(min_length=1, max_length=50, description="course ids, in the order to take them")

    @field_validator("courses")
    @classmethod
    def _unique_courses(cls, courses: list[str]) -> list[str]:
        if len(set(courses)) != len(courses):
            raise ValueError("a course appears once in a path")
        return courses


class PathView(OutputModel):
    id: str
    title: str
    description: str
    courses: list[str]
    status: Literal["draft", "published"]
    createdAt: str
    updatedAt: str
