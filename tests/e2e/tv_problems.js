// Every problem a drawn TV page can have, as text (an empty list is a clean page):
// boxes outside their column or the screen, overlapping blocks, text under `minText` px,
// names squeezed by their prices.
// Evaluated by tests/e2e/test_tv_layout.py; plain browser JS, not part of the TV app.
(minText) => {
  const problems = [];
  const view = {w: innerWidth, h: innerHeight};
  const box = e => e.getBoundingClientRect();
  const within = (inner, outer, what) => {
    const a = box(inner), b = box(outer);
    if (a.left < b.left - 1 || a.right > b.right + 1 || a.top < b.top - 1 || a.bottom > b.bottom + 1)
      problems.push(`${what} outside: ${inner.className} ${inner.textContent.slice(0, 40)}`);
  };
  const board = document.getElementById('board');
  within(board, document.documentElement, 'board');
  document.querySelectorAll('.board-head > *, .board-columns, .ondeck').forEach(e => {
    if (!e.hidden && getComputedStyle(e).display !== 'none') within(e, board, 'part');
  });
  const blocks = [];
  document.querySelectorAll('.board-columns .column').forEach(column => {
    if (column.scrollHeight > column.clientHeight + 1) problems.push('column scrolls');
    for (const block of column.children) { within(block, column, 'block'); blocks.push(block); }
  });
  for (let i = 0; i < blocks.length; i++) for (let j = i + 1; j < blocks.length; j++) {
    const a = box(blocks[i]), b = box(blocks[j]);
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
      problems.push(`overlap: ${blocks[i].textContent.slice(0, 30)} / ${blocks[j].textContent.slice(0, 30)}`);
  }
  const em = parseFloat(getComputedStyle(document.getElementById('stage')).fontSize);
  document.querySelectorAll('.board-columns .entry').forEach(row => {
    const main = row.querySelector('.main'), prices = row.querySelector('.prices');
    // layout.js's NARROWEST_NAME_EM: narrower, names and details break after every word.
    if (prices && main.clientWidth < 8 * em - 1)
      problems.push(`name squeezed to ${(main.clientWidth / em).toFixed(1)} em: ${main.textContent.slice(0, 30)}`);
    if (main.scrollWidth > main.clientWidth + 1) problems.push(`text wider than its box: ${main.textContent.slice(0, 30)}`);
    if (prices && box(main).right > box(prices).left + 1) problems.push(`name over prices: ${main.textContent.slice(0, 30)}`);
    if (prices) for (const price of prices.children) within(price, row, 'price');
  });
  const walker = document.createTreeWalker(board, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || !parent.offsetParent || parent.closest('.board-measure')) continue;
    const size = parseFloat(getComputedStyle(parent).fontSize);
    if (size < minText - 0.05) problems.push(`text ${size.toFixed(1)}px < ${minText.toFixed(1)}px: ${node.textContent.slice(0, 30)}`);
  }
  if (view.w < 1 || view.h < 1) problems.push('no viewport');
  return problems;
}
