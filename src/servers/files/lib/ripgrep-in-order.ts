import { runRipgrep, type ContentMatch, type RipgrepSearch } from './ripgrep.js';

// Matches gathered from a parallel search before falling back to a sorted one.
const ORDERED_CEILING = 10_000;

// Path order by components ('a/x' before 'a-b/x'), as `rg --sort path` orders files.
function byPathThenLine(a: ContentMatch, b: ContentMatch): number {
  const pa = a.path.replaceAll('/', '\0');
  const pb = b.path.replaceAll('/', '\0');
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.line - b.line;
}

// Matches in a stable order, fast: a parallel search (about twice as fast as `--sort path`, which
// runs on one thread) whose matches are sorted here; past ORDERED_CEILING matches, the search runs
// again sorted by rg, which can stop early. Which way runs depends only on how many matches there
// are, never on the page asked for, so offsets stay consistent from page to page.
export async function runRipgrepInOrder(
  search: RipgrepSearch,
  accept: (match: ContentMatch) => boolean,
): Promise<{ timedOut: boolean }> {
  const collected: ContentMatch[] = [];
  let overflow = false;
  const parallel = await runRipgrep({ ...search, sorted: false }, (match) => {
    if (collected.length === ORDERED_CEILING) {
      overflow = true;
      return false;
    }
    collected.push(match);
    return true;
  });
  if (overflow) return runRipgrep({ ...search, sorted: true }, accept);
  collected.sort(byPathThenLine);
  for (const match of collected) if (!accept(match)) break;
  return parallel;
}
