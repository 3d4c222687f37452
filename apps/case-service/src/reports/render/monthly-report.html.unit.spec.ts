import { escapeHtml, toHtml } from './monthly-report.html';
import type { MonthlyReport } from './monthly-report.types';
import { MARCH_REPORT, REPORT_CONTEXT } from './testing/monthly-report.fixture';

/** The body rows of each table, in page order. */
function tableBodies(html: string): string[][] {
  return [...html.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].map((match) => match[1].match(/<tr>[\s\S]*?<\/tr>/g) ?? []);
}

describe('monthly report as a printable page', () => {
  const html = toHtml(MARCH_REPORT, REPORT_CONTEXT);

  it('is a Chinese HTML document titled with the org and the month', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>大雁塔街道 2026年3月 超期/不满意工单通报</title>');
    expect(html).toContain('<h1>大雁塔街道 2026年3月 超期/不满意工单通报</h1>');
  });

  it('prints on A4 landscape with the header row repeated on every page', () => {
    expect(html).toContain('@page { size: A4 landscape; margin: 12mm }');
    expect(html).toContain('thead { display: table-header-group }');
  });

  it('has the three tables under Chinese headings', () => {
    expect([...html.matchAll(/<h2>(.*?)<\/h2>/g)].map((match) => match[1])).toEqual(['单位排名', '超期未办结清单', '不满意工单清单']);
    expect(html).toContain(
      '<th>单位</th><th>应办结数</th><th>按期</th><th>超期办结</th><th>超期未办结</th><th>不满意</th><th>按期率</th><th>排名</th>',
    );
  });

  it('has one row per unit with its rate and rank, one per overdue item and one per unsatisfied ticket', () => {
    const [units, overdue, unsatisfied] = tableBodies(html);
    expect(units).toHaveLength(3);
    expect(units[0]).toBe(
      '<tr><td>曲江社区</td><td class="number">13</td><td class="number">12</td><td class="number">1</td>' +
        '<td class="number">0</td><td class="number">0</td><td class="number">92.3%</td><td class="number">1</td></tr>',
    );
    expect(units[2]).toContain('<td class="number">—</td><td>—</td>');
    expect(overdue).toHaveLength(2);
    expect(overdue[0]).toContain('<td>12345工单</td>');
    expect(overdue[0]).toContain('<td>2026-03-20 18:00</td>');
    expect(overdue[0]).toContain('<td>2026-03-24 09:30 请于3日内办结并回复（限 2026-03-27 18:00；未答复）</td>');
    expect(overdue[1]).toContain('<td>办结答复</td>');
    expect(unsatisfied).toHaveLength(1);
  });

  it('escapes every citizen-written title, so a script in one stays text', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;楼道堆物</td>');
    expect(html).toContain('<td>夜市&quot;烧烤&quot;噪音扰民,\n凌晨仍未停止</td>');
  });

  it('states the log position and the generation time in the footer', () => {
    expect(html).toContain('<footer>日志位置：1048576　生成时间：2026-04-01 08:30</footer>');
  });

  it('says so when a list is empty instead of printing a bare header', () => {
    const quietMonth: MonthlyReport = { ...MARCH_REPORT, overdue: [], unsatisfied: [] };
    const [, overdue, unsatisfied] = tableBodies(toHtml(quietMonth, REPORT_CONTEXT));
    expect(overdue).toEqual(['<tr><td class="empty" colspan="9">无</td></tr>']);
    expect(unsatisfied).toEqual(['<tr><td class="empty" colspan="4">无</td></tr>']);
  });

  it('escapes the org name too', () => {
    const page = toHtml(MARCH_REPORT, { ...REPORT_CONTEXT, orgName: 'A&B<街道>' });
    expect(page).toContain('<h1>A&amp;B&lt;街道&gt; 2026年3月 超期/不满意工单通报</h1>');
  });
});

describe('HTML escaping', () => {
  it('escapes the five characters that can open markup or leave an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
