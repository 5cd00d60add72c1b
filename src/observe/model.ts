/**
 * Observations: what actually arrived (EVTX files, SIEM event counts), as opposed to what the configuration
 * says should be logged. Every reader of evidence produces these; assessment joins them with the hosts.
 */

/** Events of one kind seen on one computer (or in an export without a computer column). */
export interface ObservedCount {
  /** Computer name as the record or export gives it; undefined when the source has no computer. */
  computer?: string;
  /** Channel as Windows names it ("Security", "Microsoft-Windows-Sysmon/Operational"). */
  channel: string;
  /** Provider name when the source has it ("Microsoft-Windows-Security-Auditing"). */
  provider?: string;
  eventId: number;
  count: number;
  /** ISO 8601 UTC time of the first and last record, when the source has times. */
  first?: string;
  last?: string;
  /** Sum of the records' sizes in bytes (EVTX record size; a SIEM export's byte column), when the source has it. */
  bytes?: number;
  /**
   * Field evidence (issue 24): how many of `count` records were examined for fields (EVTX: every record read;
   * a SIEM field-existence export: the events it counted), and per EventData/UserData field name how many of
   * those records carried it present and non-empty ("" and "-" count as empty: the Security log writes "-" for
   * a value it does not have). A name absent from `fields` was never present. Undefined when the source says
   * nothing about fields (a plain count export).
   */
  fieldRecords?: number;
  fields?: Record<string, number>;
  /**
   * True when the source counted only the fields it names in `fields` (a SIEM query lists the fields it
   * counts): a name absent from `fields` was then not looked for, and proves nothing either way. Undefined
   * when every field of the examined records was seen (EVTX, Splunk fieldsummary).
   */
  fieldsListedOnly?: boolean;
  /**
   * Values seen of the few fields that show a setting (data/evidence-fields.yaml: the algorithms in Sysmon's
   * Hashes, "SHA256" → records). Keyed by field, then by value token.
   */
  values?: Record<string, Record<string, number>>;
}

/** Everything read from the --observed inputs of one run. */
export interface Observations {
  /** The files read, as given. */
  sources: string[];
  counts: ObservedCount[];
  /** Things the user should know that did not stop reading a file (a corrupt chunk skipped …), prefixed by the file. */
  notes: string[];
  /** Files that could not be used at all. */
  errors: { path: string; message: string }[];
}
