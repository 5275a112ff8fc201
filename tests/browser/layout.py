"""What the browser tests measure of a page's layout (shared by the page and presentation
tests)."""

from __future__ import annotations

#: Vertical overflow of the page, and texts cut by their box (``scrollWidth`` larger than
#: ``clientWidth`` with overflow hidden or an ellipsis) or drawn outside their chart.
LAYOUT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const overflow = Math.max(main ? main.scrollHeight - main.clientHeight : 0,
                            document.documentElement.scrollHeight - window.innerHeight);
  const cut = [];
  for (const el of document.querySelectorAll('.block-container *')) {
    if (el.children.length || !el.textContent.trim()) continue;
    const cs = getComputedStyle(el);
    const hidden = cs.overflowX === 'hidden' || cs.textOverflow === 'ellipsis';
    if (hidden && el.scrollWidth > el.clientWidth + 1) cut.push(el.textContent.trim());
  }
  for (const svg of document.querySelectorAll('.main-svg')) {
    const r = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBoundingClientRect();
      if (b.width && (b.left < r.left - 1 || b.right > r.right + 1 || b.top < r.top - 1
                      || b.bottom > r.bottom + 1)) cut.push('graphique : ' + t.textContent);
    }
  }
  const values = [...document.querySelectorAll('[data-testid="stMetricValue"] p')];
  const labels = [...document.querySelectorAll('[data-testid="stMetricLabel"] p')];
  const size = (el) => parseFloat(getComputedStyle(el).fontSize);
  const wide = Math.max(main ? main.scrollWidth - main.clientWidth : 0,
                        document.documentElement.scrollWidth - window.innerWidth);
  const svgText = [...document.querySelectorAll('.main-svg text')].map(t => t.textContent);
  return {overflow, wide, cut, text: main ? main.innerText : '', svgText,
          title: (document.querySelector('h1') || {}).textContent || '',
          valueSize: values.length ? Math.min(...values.map(size)) : null,
          labelSize: labels.length ? Math.max(...labels.map(size)) : null};
}"""


def settle(page, title: str | None = None) -> None:
    """Wait for the page's title (``title``, else any h1) and for Streamlit to be idle."""
    if title is not None:
        page.get_by_role("heading", name=title, exact=True).wait_for(timeout=90_000)
    else:
        page.locator("h1").first.wait_for(timeout=90_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_timeout(1500)  # plotly draws after the element appears
