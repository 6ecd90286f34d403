/**
 * What S3 storage classes mean for a sync, in one place: which bill small objects as 128 KiB and
 * which keep objects archived until restored (Amazon S3 User Guide, "Storage classes" and
 * "Restoring an archived object"; S3 pricing, "minimum billable object size").
 */

/**
 * The storage classes S3 knows (the `x-amz-storage-class` values of PutObject).
 * @public
 */
export const S3_STORAGE_CLASSES: readonly string[] = [
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'OUTPOSTS',
  'GLACIER_IR',
  'SNOW',
  'EXPRESS_ONEZONE',
];

/**
 * The smallest size S3 bills an object in the classes of {@link SMALL_OBJECT_MINIMUM_CLASSES}:
 * a 1 KiB object there costs what a 128 KiB one does.
 * @public
 */
export const MINIMUM_BILLABLE_OBJECT_SIZE = 128 * 1024;

/**
 * Classes that bill every object as at least {@link MINIMUM_BILLABLE_OBJECT_SIZE}.
 * @public
 */
export const SMALL_OBJECT_MINIMUM_CLASSES: readonly string[] = ['STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR'];

/**
 * Classes whose objects cannot be read (GET, or copied) until a restore made a temporary copy.
 * @public
 */
export const ARCHIVED_CLASSES: readonly string[] = ['GLACIER', 'DEEP_ARCHIVE'];

/** True when objects of `storageClass` are billed as at least 128 KiB. */
export function billsSmallObjectsAsMinimum(storageClass: string): boolean {
  return SMALL_OBJECT_MINIMUM_CLASSES.includes(storageClass);
}

/** True when objects of `storageClass` need a restore before they can be read. */
export function isArchivedClass(storageClass: string | undefined): boolean {
  return storageClass !== undefined && ARCHIVED_CLASSES.includes(storageClass);
}

/**
 * What to tell someone whose read of an archived object failed: the class, and how to restore it
 * (the command for one object, or the console), then to run again once the restore finished.
 */
export function restoreAdvice(bucket: string, objectKey: string, storageClass: string | undefined): string {
  const held = storageClass === undefined ? 'is archived' : `is in the ${storageClass} storage class`;
  const days = storageClass === 'DEEP_ARCHIVE' ? 'up to 48 hours' : 'minutes to 12 hours';
  const request = JSON.stringify({ Days: 7, GlacierJobParameters: { Tier: 'Standard' } });
  return (
    `the object ${held} and cannot be read until it is restored (InvalidObjectState): ` +
    `restore it with \`aws s3api restore-object --bucket ${bucket} --key ${JSON.stringify(objectKey)} --restore-request '${request}'\` ` +
    `(or "Initiate restore" in the S3 console), wait for the restore to finish (${days}), then run again.`
  );
}
