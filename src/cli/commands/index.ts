/** The platform commands (everything but `start`), in the order `samsa --help` lists them. */
import type { PlatformCommand } from '../command.ts';
import { aclsCommand } from './acls.ts';
import { aclsCreateCommand } from './acls-create.ts';
import { aclsDestroyCommand } from './acls-destroy.ts';
import { archiveLsCommand } from './archive-ls.ts';
import { archiveReplayCommand } from './archive-replay.ts';
import { connectCommand } from './connect.ts';
import {
  connectorsCommand,
  connectorsCreateCommand,
  connectorsDestroyCommand,
  connectorsInfoCommand,
  connectorsOffsetsCommand,
  connectorsPauseCommand,
  connectorsRestartCommand,
  connectorsResumeCommand,
} from './connectors.ts';
import { consoleCommand } from './console.ts';
import { consumerGroupsCommand } from './consumer-groups.ts';
import { consumerGroupsDestroyCommand } from './consumer-groups-destroy.ts';
import { consumerGroupsInfoCommand } from './consumer-groups-info.ts';
import { consumerGroupsResetOffsetsCommand } from './consumer-groups-reset-offsets.ts';
import { demoCommand } from './demo.ts';
import { dltReplayCommand } from './dlt-replay.ts';
import { infoCommand } from './info.ts';
import { logVerifyCommand } from './log-verify.ts';
import { proxyCommand } from './proxy.ts';
import { quotasCommand } from './quotas.ts';
import { quotasRemoveCommand } from './quotas-remove.ts';
import { quotasSetCommand } from './quotas-set.ts';
import { registryCommand } from './registry.ts';
import { topicsCommand } from './topics.ts';
import { topicsCompactionCommand, topicsConfigCommand, topicsRetentionTimeCommand } from './topics-config.ts';
import { topicsCreateCommand } from './topics-create.ts';
import { topicsDestroyCommand } from './topics-destroy.ts';
import { topicsInfoCommand } from './topics-info.ts';
import { topicsPartitionsCommand } from './topics-partitions.ts';
import { topicsTailCommand } from './topics-tail.ts';
import { topicsWriteCommand } from './topics-write.ts';
import { usersCommand } from './users.ts';
import { usersCreateCommand } from './users-create.ts';
import { usersDestroyCommand } from './users-destroy.ts';

const ALL = [
  infoCommand,
  topicsCommand,
  topicsCreateCommand,
  topicsInfoCommand,
  topicsWriteCommand,
  topicsTailCommand,
  topicsRetentionTimeCommand,
  topicsCompactionCommand,
  topicsPartitionsCommand,
  topicsConfigCommand,
  topicsDestroyCommand,
  consumerGroupsCommand,
  consumerGroupsInfoCommand,
  consumerGroupsResetOffsetsCommand,
  consumerGroupsDestroyCommand,
  aclsCommand,
  aclsCreateCommand,
  aclsDestroyCommand,
  usersCommand,
  usersCreateCommand,
  usersDestroyCommand,
  quotasCommand,
  quotasSetCommand,
  quotasRemoveCommand,
  connectCommand,
  connectorsCommand,
  connectorsCreateCommand,
  connectorsInfoCommand,
  connectorsPauseCommand,
  connectorsResumeCommand,
  connectorsRestartCommand,
  connectorsDestroyCommand,
  connectorsOffsetsCommand,
  logVerifyCommand,
  proxyCommand,
  consoleCommand,
  registryCommand,
  dltReplayCommand,
  archiveLsCommand,
  archiveReplayCommand,
  demoCommand,
];

export const PLATFORM_COMMANDS: Record<string, PlatformCommand> = Object.fromEntries(
  ALL.map((c) => [c.spec.name, c]),
);
