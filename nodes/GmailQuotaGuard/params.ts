import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { AddressError, normalizeAddress, parseAddressList } from '../shared/core/address';
import { allowedSends, CapacityError, dailyCap, type AccountType, type CapacityLimit } from '../shared/core/capacity';
import { isValidZone, parseSendWindow, WindowError, type SendWindow, type Weekday } from '../shared/core/window';
import type { RecipientLimits } from '../shared/node/capacity';
import { str } from '../shared/node/params';

const WEEKDAYS: Record<string, Weekday> = { monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7 };

/** The node's settings, read once (they steer the whole run, not one lead). */
export interface GuardSettings {
	credentialType: 'oAuth2' | 'serviceAccount';
	/** Service account: the mailboxes to act as (normalised); empty = the credential's Delegated User. */
	mailboxes: string[];
	accountType: AccountType | 'custom';
	limit: CapacityLimit;
	emailField: string;
	/** Undefined = any time. */
	window?: SendWindow;
	mailboxZone: string;
	pacing: 'spread' | 'fast';
	horizonMs: number;
	senderField: string;
	timezoneField: string;
	addSummary: boolean;
	recipients?: RecipientLimits;
	perMinuteUnits: number;
}

/** Reads and checks the parameters; a setting that cannot work fails the node, naming the parameter. */
export function readGuardSettings(ctx: IExecuteFunctions): GuardSettings {
	const get = <T>(name: string, fallback: T) => ctx.getNodeParameter(name, 0, fallback) as T;
	const fail = (field: string, problem: string) => new NodeOperationError(ctx.getNode(), `Parameter "${field}": ${problem}`);
	const options = get<IDataObject>('options', {});
	const credentialType = get<string>('authentication', 'oAuth2') === 'serviceAccount' ? 'serviceAccount' : 'oAuth2';
	const accountType = str(get('accountType', 'gmail')) as GuardSettings['accountType'];
	let limit: CapacityLimit;
	try {
		const cap = dailyCap(accountType === 'custom' ? Number(get('dailyCap', 500)) : accountType);
		limit = { cap, margin: Number(get('safetyMargin', 90)) / 100, reserve: Number(get('reserve', 0)) };
		allowedSends(limit);
	} catch (error) {
		if (error instanceof CapacityError) throw fail(accountType === 'custom' ? 'dailyCap' : 'safetyMargin', error.message);
		throw error as Error;
	}
	let mailboxes: string[] = [];
	if (credentialType === 'serviceAccount') {
		const raw = str(get('mailboxes', ''));
		try {
			mailboxes = [...new Set(parseAddressList(raw).map((a) => normalizeAddress(a.address)))];
		} catch (error) {
			if (error instanceof AddressError) throw fail('mailboxes', error.message);
			throw error as Error;
		}
	}
	let window: SendWindow | undefined;
	if (get<string>('sendWindow', 'hours') === 'hours') {
		try {
			const days = get<string[]>('days', ['monday', 'tuesday', 'wednesday', 'thursday', 'friday']).map((d) => WEEKDAYS[d] ?? Number(d));
			window = parseSendWindow({ start: str(get('startTime', '09:00')), end: str(get('endTime', '17:00')), days, holidays: str(get('holidays', '')) });
		} catch (error) {
			if (error instanceof WindowError) throw fail(error.field, error.message);
			throw error as Error;
		}
	}
	const mailboxZone = str(get('mailboxTimeZone', '')).trim() || ctx.getTimezone();
	if (!isValidZone(mailboxZone)) throw fail('mailboxTimeZone', `"${mailboxZone}" is not an IANA time zone (e.g. Europe/Berlin)`);
	const horizon = Number(get('horizonMinutes', 15));
	if (!(horizon >= 1)) throw fail('horizonMinutes', `must be at least 1, got ${horizon}`);
	const positive = (name: string, fallback: number) => {
		const v = Number(options[name] ?? fallback);
		if (!(v >= 1) || !Number.isInteger(v)) throw fail(name, `must be a whole number ≥ 1, got ${String(options[name])}`);
		return v;
	};
	return {
		credentialType,
		mailboxes,
		accountType,
		limit,
		emailField: str(get('emailField', 'email')).trim() || 'email',
		window,
		mailboxZone,
		pacing: get<string>('pacing', 'spread') === 'fast' ? 'fast' : 'spread',
		horizonMs: horizon * 60_000,
		senderField: str(options.senderField ?? 'sender').trim() || 'sender',
		timezoneField: str(options.timezoneField ?? 'timezone').trim(),
		addSummary: options.addSummary === true,
		perMinuteUnits: Math.max(100, Number(options.quotaUnitsPerMinute ?? 15000) || 15000),
		...(options.countRecipients === true
			? {
					recipients: {
						total: positive('recipientLimit', 10_000),
						external: positive('externalRecipientLimit', 3_000),
						perEmail: positive('recipientsPerEmail', 1),
					},
				}
			: {}),
	};
}
