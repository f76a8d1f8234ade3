import type { FoundationTables } from './foundation.tables.ts';
import type { LedgerTables } from '../ledger/ledger.tables.ts';
import type { SubjectsTables } from '../subjects/subjects.tables.ts';
import type { AccountsTables } from '../accounts/accounts.tables.ts';
import type { ConsentTables } from '../consent/consent.tables.ts';
import type { AccessTables } from '../access/access.tables.ts';
import type { ConnectorsTables } from '../connectors/connectors.tables.ts';
import type { EvaluationTables } from '../evaluation/evaluation.tables.ts';
import type { SafeRoomTables } from '../saferoom/saferoom.tables.ts';
import type { ReportsTables } from '../reports/reports.tables.ts';
import type { RightsTables } from '../rights/rights.tables.ts';
import type { WhitelistTables } from '../whitelist/whitelist.tables.ts';

/**
 * The whole database as Kysely sees it. Each domain declares its tables in its own
 * `*.tables.ts` and adds them here (one line each).
 */
export interface Database
  extends
    FoundationTables,
    LedgerTables,
    SubjectsTables,
    AccountsTables,
    ConsentTables,
    AccessTables,
    ConnectorsTables,
    EvaluationTables,
    SafeRoomTables,
    ReportsTables,
    RightsTables,
    WhitelistTables {}
