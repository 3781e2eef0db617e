/** The most rows one page of any connection returns. Apart from the GraphQL types, so the cost limit can read it. */
export const MAX_PAGE_SIZE = 100;
