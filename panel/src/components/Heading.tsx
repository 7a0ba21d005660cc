import { useEffect, useRef, type ReactNode } from 'react';

/** The name every page's title ends with: "Clients · Tollgate". */
export const SITE = 'Tollgate';

/** A page's title from its heading's text, so the tab, the history and a bookmark name the page (WCAG 2.4.2). */
export const titleOf = (heading: string): string => {
  const text = heading.replace(/\s+/g, ' ').trim();
  return text ? `${text} · ${SITE}` : SITE;
};

/**
 * A page's h1. It takes focus when the page opens, so a screen reader announces the new page
 * and the next Tab starts from the top of its content (WCAG 2.4.3); being focused by script and
 * no control, it draws no focus ring (styles.css). The document's title follows its text.
 */
export function PageHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (
      document.activeElement === document.body ||
      document.activeElement === null ||
      document.activeElement?.closest('nav, .page-actions')
    ) {
      ref.current?.focus();
    }
  }, []);
  // After every render: a heading whose text arrives later (a client's name) retitles the page.
  useEffect(() => {
    const title = titleOf(ref.current?.textContent ?? '');
    if (document.title !== title) document.title = title;
  });
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
