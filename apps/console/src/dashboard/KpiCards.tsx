import { Card, Col, Row, Statistic, Tooltip } from 'antd';
import type { KpiKey } from '@cases/domain/timeliness/kpi-definitions';
import type { Rate } from '../api/responses';
import { KPI_LABEL, KPI_ORDER } from '../format/labels';
import { percent } from '../format/time';

/** The eight KPIs of the period, each with what it counted: a rate without its denominator tells nothing. */
export function KpiCards({ kpis, loading }: { kpis: Record<KpiKey, Rate> | undefined; loading: boolean }) {
  return (
    <Row gutter={[12, 12]}>
      {KPI_ORDER.map((key) => {
        const rate = kpis?.[key];
        return (
          <Col key={key} xs={12} lg={6}>
            <Card size="small" loading={loading && kpis === undefined} data-testid={`kpi-${key}`}>
              <Tooltip title={rate && rate.denominator === 0 ? '本期无应计件数' : undefined}>
                <Statistic
                  title={KPI_LABEL[key]}
                  value={rate === undefined ? '—' : percent(rate.ratio)}
                  styles={{
                    content: {
                      color:
                        rate?.ratio === null || rate === undefined
                          ? '#8c8c8c'
                          : rate.ratio >= 0.9
                            ? '#389e0d'
                            : rate.ratio >= 0.7
                              ? '#d46b08'
                              : '#cf1322',
                    },
                  }}
                />
              </Tooltip>
              <div style={{ color: '#595959', fontSize: 12 }} data-testid={`kpi-${key}-counts`}>
                {rate === undefined ? '—' : `${rate.numerator} / ${rate.denominator}`}
              </div>
            </Card>
          </Col>
        );
      })}
    </Row>
  );
}
