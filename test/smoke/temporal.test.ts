import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import * as activities from '../fixtures/smoke-activities';
import { smokeGreeting } from '../fixtures/smoke-workflows';
import { testTemporalAddress } from '../harness/context';

test('a workflow runs on the real Temporal server through a real worker and returns its activity result', async () => {
  const taskQueue = `smoke-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address: testTemporalAddress() });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../fixtures/smoke-workflows'),
    activities,
  });
  const connection = await Connection.connect({ address: testTemporalAddress() });
  try {
    const client = new Client({ connection });
    const result = await worker.runUntil(
      client.workflow.execute(smokeGreeting, {
        taskQueue,
        workflowId: `smoke-${randomUUID()}`,
        args: ['Cu'],
      }),
    );
    expect(result).toBe(`hello Cu from pid ${process.pid} (activity type describeHost)`);
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
});
