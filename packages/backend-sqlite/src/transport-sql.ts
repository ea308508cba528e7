// Statement texts of the transport outbox (positional parameters).

export const DEDUP = `INSERT INTO core_outbox_dedup (channel, key, expires_at) VALUES (?, ?, CAST(? AS INTEGER))
  ON CONFLICT (channel, key) DO UPDATE SET expires_at = excluded.expires_at WHERE core_outbox_dedup.expires_at <= ?
  RETURNING 1`;
export const PRUNE_DEDUP = "DELETE FROM core_outbox_dedup WHERE channel = ? AND expires_at <= ?";
export const RESERVE = `INSERT INTO core_outbox_channels (channel, next_seq) VALUES (?, CAST(? AS INTEGER))
  ON CONFLICT (channel) DO UPDATE SET next_seq = next_seq + excluded.next_seq RETURNING next_seq`;
export const INSERT = `INSERT INTO core_outbox (channel, seq, id, payload, headers, published_at, idempotency_key, not_before)
  VALUES (?, CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?)`;
export const NEXT_SEQ = "SELECT next_seq FROM core_outbox_channels WHERE channel = ?";
export const FIRST_KEPT = "SELECT min(seq) FROM core_outbox WHERE channel = ?";
export const MESSAGE_FROM = `SELECT seq, id, payload, headers, published_at, idempotency_key, not_before FROM core_outbox
  WHERE channel = ? AND seq >= ? ORDER BY seq LIMIT 1`;
export const MESSAGE_AT = `SELECT seq, id, payload, headers, published_at, idempotency_key, not_before FROM core_outbox
  WHERE channel = ? AND seq = ?`;
export const CREATE_GROUP = `INSERT INTO core_outbox_groups (channel, grp, next_seq) VALUES (?, ?, CAST(? AS INTEGER))
  ON CONFLICT (channel, grp) DO NOTHING`;
export const GROUP_NEXT = "SELECT next_seq FROM core_outbox_groups WHERE channel = ? AND grp = ?";
export const ADVANCE_GROUP =
  "UPDATE core_outbox_groups SET next_seq = CAST(? AS INTEGER) WHERE channel = ? AND grp = ?";
export const FREE_CLAIM = `SELECT seq FROM core_outbox_claims WHERE channel = ? AND grp = ? AND lease_until <= ?
  ORDER BY seq LIMIT 1`;
export const CLAIM = `INSERT INTO core_outbox_claims (channel, grp, seq, lease_until) VALUES (?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER))
  ON CONFLICT (channel, grp, seq) DO UPDATE SET lease_until = excluded.lease_until`;
export const RELEASE = "UPDATE core_outbox_claims SET lease_until = 0 WHERE channel = ? AND grp = ? AND seq = ?";
export const ACK = "DELETE FROM core_outbox_claims WHERE channel = ? AND grp = ? AND seq = ?";
export const MIN_GROUP = "SELECT min(next_seq) FROM core_outbox_groups WHERE channel = ?";
export const MIN_CLAIM = "SELECT min(seq) FROM core_outbox_claims WHERE channel = ?";
export const TRIM = "DELETE FROM core_outbox WHERE channel = ? AND seq < ?";
