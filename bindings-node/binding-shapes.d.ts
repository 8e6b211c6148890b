// Shapes the binding assembles itself rather than a core type's serde form: argument objects
// of record documents, and results put together from several core values. Written by hand;
// tests/engine_types.rs copies them into engine-types.d.ts after the generated declarations.

/** The records of a billing run; every list optional. */
export interface BillingInput {
  products?: RecordDocument[]
  subscriptions?: RecordDocument[]
  orders?: RecordDocument[]
  deliveries?: RecordDocument[]
  /** The customer's finalized bills so far (drafts are ignored). */
  bills?: Bill[]
  payments?: RecordDocument[]
  credits?: Credit[]
  wallet?: WalletEntry[]
}

/** The customer's records for a backfill (documents). */
export interface ActivationRecords {
  customer: RecordDocument
  orders?: RecordDocument[]
  deliveries?: RecordDocument[]
  subscriptions?: RecordDocument[]
}

/** A customer's records for `churnInputFromRecords` (documents), plus what they do not carry. */
export interface ChurnRecords {
  customer: RecordDocument
  products?: RecordDocument[]
  orders?: RecordDocument[]
  deliveries?: RecordDocument[]
  subscriptions?: RecordDocument[]
  payments?: PaymentSignals | null
  service?: ServiceSignals | null
}

/** A member's account: ledger, tier history, unlocked badges (sorted by code) and stats. */
export interface LoyaltyMember {
  customerId: string
  joinedAt: Instant | null
  balance: number
  tier: Tier
  entries: LoyaltyEntry[]
  tierHistory: TierChange[]
  /** Unlocked badges, sorted by code. */
  badges: Array<{ code: string; at: Instant }>
  stats: LoyaltyStats
}

/** The first positions of the all-time board, of each tier's board (by tier name) and of this week's. */
export interface Leaderboards {
  allTime: Position[]
  byTier: Partial<Record<Tier, Position[]>>
  thisWeek: Position[]
}

/** Where a customer stands on each board; `null` where they are not on it. */
export interface Standings { allTime: Position | null; tier: Position | null; thisWeek: Position | null }

/** The snapshots after a whole-base sweep and the transitions it made. */
export interface SweepResult { snapshots: CustomerSnapshot[]; transitions: SweptTransition[] }
