/**
 * The processes view's filter: every character of the query appears in the text in order
 * (`c42` matches `client-42`), case-insensitively; several space-separated terms must all match.
 */
export function fuzzyMatcher(query: string): (text: string) => boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return () => true;
  return (text) => {
    const haystack = text.toLowerCase();
    return terms.every((term) => isSubsequence(term, haystack));
  };
}

function isSubsequence(needle: string, haystack: string): boolean {
  let at = 0;
  for (const char of needle) {
    at = haystack.indexOf(char, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}
