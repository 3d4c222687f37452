import { Table, Tag, Tooltip } from 'antd';
import type { DeadlineEpisodeView, DeadlineView, HistoryEntry } from '../api/responses';
import { DEADLINE_STATE_COLOR, DEADLINE_STATE_LABEL, MILESTONE_LABEL, label } from '../format/labels';
import { countdown, deadlineUrgency, formatTime } from '../format/time';

/** Each milestone's deadline judged at the moment shown: met, late, pending with the time left, or overdue. */
export function DeadlineTable({
  deadlines,
  episodes,
  history,
}: {
  deadlines: DeadlineView[];
  episodes: DeadlineEpisodeView[];
  history: HistoryEntry[];
}) {
  const episodesOf = (deadline: DeadlineView) => episodes.filter((episode) => episode.milestone === deadline.milestone);
  const warned = new Set(
    history
      .filter((entry) => entry.type === 'DeadlineWarningIssued')
      .map((entry) => `${String(entry.data.milestone)}@${String(entry.data.version)}`),
  );
  return (
    <Table<DeadlineView>
      rowKey="milestone"
      size="small"
      pagination={false}
      dataSource={deadlines}
      locale={{ emptyText: '暂无时限' }}
      columns={[
        { title: '时限节点', dataIndex: 'milestone', render: (milestone: string) => label(MILESTONE_LABEL, milestone) },
        {
          title: '截止时间',
          dataIndex: 'dueAt',
          render: (dueAt: string, deadline) => (
            <>
              {formatTime(dueAt)}
              {deadline.provisional && (
                <Tooltip title="节假日数据尚未发布，截止时间可能调整">
                  <Tag style={{ marginInlineStart: 6 }}>暂定</Tag>
                </Tooltip>
              )}
            </>
          ),
        },
        {
          title: '状态',
          dataIndex: 'state',
          render: (state: DeadlineView['state'], deadline) => (
            <>
              <Tag color={DEADLINE_STATE_COLOR[state]}>{DEADLINE_STATE_LABEL[state]}</Tag>
              {warned.has(`${deadline.milestone}@${deadline.version}`) && state === 'pending' && <Tag color="orange">已预警</Tag>}
            </>
          ),
        },
        {
          title: '剩余/超期',
          key: 'left',
          render: (_value, deadline) => {
            const hours =
              deadline.state === 'pending'
                ? deadline.remainingHours
                : deadline.state === 'overdue'
                  ? -(deadline.overdueHours ?? 0)
                  : undefined;
            if (hours === undefined) return '—';
            const urgency = deadlineUrgency(hours);
            return <span className={urgency === 'normal' ? undefined : `countdown-${urgency}`}>{countdown(hours)}</span>;
          },
        },
        { title: '完成时间', dataIndex: 'reachedAt', render: (at?: string) => formatTime(at) },
        {
          title: '计时',
          key: 'episodes',
          render: (_value, deadline) =>
            episodesOf(deadline).length > 1 ? (
              <Tooltip
                title={episodesOf(deadline)
                  .map(
                    (episode) =>
                      `第${episode.episode}次：${formatTime(episode.startedAt)} 起，${formatTime(episode.dueAt)} 止，${DEADLINE_STATE_LABEL[episode.state]}`,
                  )
                  .join('\n')}
              >
                <span>共 {episodesOf(deadline).length} 次计时</span>
              </Tooltip>
            ) : (
              `第 ${deadline.version} 版`
            ),
        },
      ]}
    />
  );
}
