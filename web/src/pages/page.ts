/** What the router hands a page: where to render, the route's parameters, and where focus should go. */
export interface PageContext {
  main: HTMLElement;
  params: string[];
  query: URLSearchParams;
  /** Set by the page when something other than its <h1> should take focus (a form's first field). */
  focusTarget?: HTMLElement | null;
}
