/**
 * The search route's highlights are HTML excerpts: the text escaped, matched words in <em></em>.
 * They are never put into the page as HTML: this splits them into text runs (entities decoded)
 * marked or not, which React renders as text.
 */
export interface Run {
  text: string;
  marked: boolean;
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#x27|#39);/g, (entity) => ENTITIES[entity] ?? entity);
}

export function highlightRuns(excerpt: string): Run[] {
  const runs: Run[] = [];
  let marked = false;
  for (const part of excerpt.split(/(<em>|<\/em>)/)) {
    if (part === "<em>") marked = true;
    else if (part === "</em>") marked = false;
    else if (part) runs.push({ text: decodeEntities(part), marked });
  }
  return runs;
}
