import { Alert, Badge, Button, Card, Group, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { CheckResult, CheckRuleResult } from '../../../main/ipc/contract';
import { api, call, messageOf } from '../api';
import { formatDate } from '../shared/dates';
import { StatusBadge } from '../shared/StatusBadge';
import { jobPercent, useJob } from '../shared/useJob';

/**
 * The record checker (Settings › Record checker, admins): runs every rule over all records in the
 * background, lists the records breaking each rule with the rule in words, and fixes them through
 * the rules engine, one click each or all of a rule at once (history and change log for each).
 */
export function RecordChecker() {
  const check = useJob();
  const fixing = useJob();
  const [result, setResult] = useState<CheckResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busyRecord, setBusyRecord] = useState<number | null>(null);

  const run = async () => {
    setError(null);
    try {
      setResult((await check.run(api().checker.run({}))).result);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const after = async (message: string) => {
    notifications.show({ color: 'green', message });
    await run();
  };
  const fixOne = async (rule: CheckRuleResult, recordId: number) => {
    setBusyRecord(recordId);
    try {
      const { fixed } = await call(api().checker.fix({ rule: rule.id, recordIds: [recordId] }));
      await after(fixed ? `Record ${recordId} fixed: ${rule.title.toLowerCase()}.` : `Record ${recordId} no longer breaks this rule.`);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusyRecord(null);
    }
  };
  const fixEvery = async (rule: CheckRuleResult) => {
    try {
      const done = await fixing.run(api().checker.fixAll({ rule: rule.id }));
      await after(`${done.result.fixed} records fixed: ${rule.title.toLowerCase()}.`);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const broken = result?.rules.filter((r) => r.count > 0) ?? [];
  const running = check.running ? check.job : fixing.running ? fixing.job : null;

  return (
    <Stack maw={1100} data-testid="record-checker">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={4}>Record checker</Title>
          <Text size="sm" c="dimmed">
            Looks for records that contradict the status rules (after a crash, an old import or an edited file) and fixes them through the rules engine; every
            fix leaves a history entry and goes to the sync export.
          </Text>
        </Stack>
        <Button onClick={() => void run()} loading={check.running} disabled={fixing.running}>
          {result ? 'Check again' : 'Check all records'}
        </Button>
      </Group>
      {running && running.state === 'running' && (
        <Stack gap={4}>
          <Text size="sm">{running.message || 'Working…'}</Text>
          <Progress value={jobPercent(running)} animated aria-label="Record checker progress" />
        </Stack>
      )}
      {error && <Alert color="red">{error}</Alert>}
      {result && (
        <Text size="sm" data-testid="checker-summary">
          {result.records.toLocaleString()} records checked on {formatDate(result.today)}:{' '}
          {broken.length === 0
            ? 'no contradictions found.'
            : `${broken.reduce((n, r) => n + r.count, 0).toLocaleString()} records break ${broken.length} rule(s).`}
        </Text>
      )}
      {broken.length > 0 && (
        <Stack>
          {broken.map((rule) => (
            <Card key={rule.id} withBorder data-testid={`rule-${rule.id}`}>
              <Stack gap="xs">
                <Group gap="sm">
                  <Badge color="red" variant="light">
                    {rule.count.toLocaleString()}
                  </Badge>
                  <Text fw={600}>{rule.title}</Text>
                </Group>
                <Stack gap="xs">
                  <Text size="sm">
                    <b>Rule:</b> {rule.rule}
                  </Text>
                  <Text size="sm" c="dimmed">
                    <b>Fix:</b> {rule.fix}
                  </Text>
                  <Table fz="sm" striped>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Record</Table.Th>
                        <Table.Th>Contact</Table.Th>
                        <Table.Th>Certification</Table.Th>
                        <Table.Th>Status</Table.Th>
                        <Table.Th>Started</Table.Th>
                        <Table.Th>Completed</Table.Th>
                        <Table.Th>Expires</Table.Th>
                        <Table.Th />
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {rule.findings.map((f) => (
                        <Table.Tr key={f.recordId}>
                          <Table.Td>
                            {f.recordId} (cycle {f.cycle})
                          </Table.Td>
                          <Table.Td>{f.contact}</Table.Td>
                          <Table.Td>{f.certification}</Table.Td>
                          <Table.Td>
                            <StatusBadge status={f.status} />
                          </Table.Td>
                          <Table.Td>{formatDate(f.startedOn)}</Table.Td>
                          <Table.Td>{formatDate(f.completedOn)}</Table.Td>
                          <Table.Td>{formatDate(f.expiresOn)}</Table.Td>
                          <Table.Td>
                            <Button
                              size="compact-xs"
                              variant="light"
                              aria-label={`Fix record ${f.recordId}`}
                              loading={busyRecord === f.recordId}
                              disabled={check.running || fixing.running}
                              onClick={() => void fixOne(rule, f.recordId)}
                            >
                              Fix
                            </Button>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                  <Group justify="space-between">
                    <Text size="xs" c="dimmed">
                      {rule.count > rule.findings.length ? `The first ${rule.findings.length} of ${rule.count.toLocaleString()} shown.` : ''}
                    </Text>
                    <Button size="xs" color="red" variant="light" disabled={check.running || fixing.running} onClick={() => void fixEvery(rule)}>
                      Fix all {rule.count.toLocaleString()}
                    </Button>
                  </Group>
                </Stack>
              </Stack>
            </Card>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
