/** Words for the API's enumerations (statuses, kinds, levels, question types), from the message catalog. */
import { labeller } from "../staff/labels";

export const LEVELS = ["beginner", "intermediate", "advanced"] as const;

export const levelLabel = labeller("instructor.level");
export const courseStatusLabel = labeller("instructor.courseStatus");
export const kindLabel = labeller("instructor.kind");
export const videoStatusLabel = labeller("instructor.videoStatus");
export const questionTypeLabel = labeller("instructor.questionType");
export const difficultyLabel = labeller("instructor.difficulty");
export const draftStatusLabel = labeller("instructor.draftStatus");
export const attemptStatusLabel = labeller("instructor.attemptStatus");
