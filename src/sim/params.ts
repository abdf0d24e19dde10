// Every rate and size the simulator uses, with its default. Account counts are at scale 1
// and are multiplied by --scale; durations are in days/hours/minutes as named.
// Override any numeric field with `path=value` (e.g. `farm.liveAccounts=120`), see applyOverrides.

/** A farm-like campaign: a central work queue dealt to churning accounts. */
export interface FarmParams {
  /** Accounts the operator keeps live at once (x scale); ~4x this many are used over 21 days. */
  liveAccounts: number;
  /** Exchanges per live account per day: the public ~26/day figure (28.8M / 25k accounts / 44 days). */
  perAccountDaily: number;
  /** Lifetime of an account from its first task to its ban, lognormal median in days. */
  lifetimeMedianDays: number;
  /** Sigma of log lifetime. */
  lifetimeSigma: number;
  /** Accounts registered per sign-up burst, min and max. */
  burstMin: number;
  burstMax: number;
  /** A burst's sign-ups spread over this many hours. */
  burstHours: number;
  /** Register a new burst when fewer than this many registered accounts are waiting in reserve. */
  reserveLow: number;
  /** Minutes between a ban and the replacement's first task, lognormal median. */
  replaceDelayMinutes: number;
  /** Accounts sharing one prepaid card, min and max. */
  cardShareMin: number;
  cardShareMax: number;
  /** Distinct rare prepaid BINs the card pool is bought from. */
  rareBins: number;
  /** Share of accounts that reuse another account's anti-detect browser profile (device_id). */
  deviceReuse: number;
  /** Share of accounts phone-verified with a virtual number shared by 2-5 accounts. */
  phoneVerifiedShare: number;
  /** When the campaign starts, as a fraction of the window. */
  startFraction: number;
  /** Hours over which the initial accounts come online. */
  rampHours: number;
  /** A worker holds an account for this many minutes (lognormal median) before rotating it. */
  sessionMinutes: number;
  /** Workers (accounts checked out at once) as a share of live accounts. */
  slotShare: number;
  /** Relative amplitude of the slow (hourly) modulation of the queue's arrival rate. */
  rateWobble: number;
  /** Share of accounts registered with a (prepaid) card. */
  cardedShare: number;
  /** Share of accounts with no verification at all (the rest: e-mail, or phone as above). */
  noVerificationShare: number;
  /** Median visible output tokens of a harvested answer. */
  outputMedianTokens: number;
  /** Share of traffic moved to the newly released model (pivot only; 0 for a plain farm). */
  newModelShare: number;
  /** Hours after release before the move starts, min and max (pivot only). */
  switchAfterHoursMin: number;
  switchAfterHoursMax: number;
  /** Hours to ramp from 0 to newModelShare (pivot only). */
  switchRampHours: number;
}

/** Benchmark sweeps: each item asked once, dealt across a team's accounts. */
export interface SweepParams {
  /** Sweeps over the window. */
  sweepsMin: number;
  sweepsMax: number;
  /** Items per sweep, each asked once. */
  itemsMin: number;
  itemsMax: number;
  /** Hours a sweep takes. */
  hoursMin: number;
  hoursMax: number;
}

/** One level of care of the operator who hides its infrastructure (src/sim/hidden.ts). */
export interface HiddenCare {
  /** Typical exchanges on an active day, uniform between these (a heavy but human user). */
  rateMin: number;
  rateMax: number;
  /** Chance an account is active on a given day. */
  activeDay: number;
  /** Share of conversations that are ordinary cover traffic. */
  coverShare: number;
  /** Mean user turns per conversation (harvest follow-ups are the operator's own turns). */
  turnsMean: number;
  /** Share of harvest openers carrying an elicitation phrase, and a formatting instruction. */
  elicitShare: number;
  formatShare: number;
  /** How much each use of a phrase is varied (0: verbatim). */
  phraseVariation: number;
  /** Phrases the operator wrote: elicitation, formatting, follow-up turns. */
  elicitPhrases: number;
  formatPhrases: number;
  followupPhrases: number;
  /** Client configurations the pipeline runs (1: every account the same knobs). */
  configs: number;
  /** Mean times each payload item is sent over the window (to different accounts). */
  passes: number;
  /** Pipeline stops (outages, deploys) over the window, and their length in hours. */
  stops: number;
  stopHoursMin: number;
  stopHoursMax: number;
  /** Share of sessions that fall in a stop and are sent when it ends (a backlog); the rest are dropped. */
  backlogShare: number;
  /** Minutes over which accounts resume after a stop (exponential mean). */
  resumeMinutes: number;
  /** Share of harvest requests with extended thinking. */
  thinkShare: number;
  /** Start as a fraction of the window, and days over which the accounts come online. */
  startFraction: number;
  rampDays: number;
  /** Median visible output tokens of a harvested answer. */
  outputMedianTokens: number;
}

export interface SimParams {
  window: {
    /** The new model is released at this fraction of the window (day ~9 of 21)... */
    releaseFraction: number;
    /** ...at this UTC hour. */
    releaseHourUtc: number;
  };
  traffic: {
    /** Share of requests answered 429 (rate limited), the same for every label. */
    rate429: number;
    /** Share answered 500/529 (overloaded). */
    rate5xx: number;
    /** Corpus and generated texts longer than this are cut (keeps lines small). */
    maxPromptChars: number;
    /** Earlier turns of a conversation are cut to this many characters in the history. */
    historyChars: number;
  };
  organic: {
    /** Ordinary users (x scale). */
    accounts: number;
    /** Median of an account's typical exchanges on an active day. */
    rateMedian: number;
    /** Sigma of the log of that typical rate across accounts: a heavy tail to hundreds. */
    rateSigma: number;
    /** Day-to-day lognormal jitter of an account's count. */
    dayJitterSigma: number;
    /** Share of near-daily users, and their chance to be active on a weekday. */
    dailyShare: number;
    dailyActive: number;
    /** Share of regular users and their weekday activity chance; the rest are occasional. */
    regularShare: number;
    regularActive: number;
    occasionalActive: number;
    /** Mean user turns per conversation. */
    turnsMean: number;
    /** Share of accounts that sign up during the window. */
    signupInWindowShare: number;
    /** Share of accounts that stop using the API part-way through the window. */
    quitShare: number;
    /** Share of users with a phone on a mobile carrier (CGNAT), and share of their sessions on it. */
    mobileUserShare: number;
    mobileSessionShare: number;
    /** Share of home connections on IPv6 (a stable /64, interface id rotating daily). */
    ipv6Share: number;
    /** Share of home connections that get a new address once during the window. */
    homeIpChangeShare: number;
    /** Plans: free (no card) share; share on startup/research programs (legitimately). */
    freeShare: number;
    programShare: number;
    /** Share of paying accounts in a family / small company sharing one card (2-4 accounts). */
    sharedCardShare: number;
    /** Share of paying accounts on a prepaid card. */
    prepaidShare: number;
    /** Share of free accounts that upgrade to paid during the window. */
    upgradeShare: number;
    /** Share of first prompts that ask for step-by-step reasoning (builtin text; corpora carry their own ~1%). */
    stepByStepShare: number;
    /** Per-day chance that an account adopts the newly released model (after release). */
    adoptionPerDay: number;
    /** Share of an adopter's traffic that goes to the new model. */
    newModelTraffic: number;
    /** Share of chat-type users (casual, writer, student) on a browser-based client; developers' share. */
    browserShare: number;
    developerBrowserShare: number;
    /** Share of script/SDK users whose client sends conversation ids (browser apps always do). */
    sdkConversationIdShare: number;
    /** Share of accounts with an app system prompt, on browser apps and on SDK clients. */
    browserSystemShare: number;
    sdkSystemShare: number;
    /** Share of accounts that sometimes use extended thinking / reasoning effort. */
    thinkingAccountShare: number;
    /** Share of developers who send tool definitions. */
    developerToolsShare: number;
    /** Share of working users (developer, professional, researcher) with an office network. */
    officeShare: number;
    /** Of the card-sharing groups, the share that are families (same home); the rest small companies (one org). */
    familyShare: number;
    /** Share of non-casual users working in a team organization (org_id). */
    teamOrgShare: number;
  };
  sharedNat: {
    /** Ordinary users mostly on a mobile carrier's CGNAT (x scale). */
    mobileAccounts: number;
    /** Employees using the API from behind a corporate NAT (x scale). */
    corporateAccounts: number;
    /** Companies those employees are spread over. */
    corporateCompanies: number;
    /** Public CGNAT addresses per carrier (x scale, at least 2): each is shared by many accounts. */
    cgnatAddressesPerCarrier: number;
    /** Egress addresses per corporate NAT. */
    corporateEgressIps: number;
    /** Share of a mobile user's sessions on the carrier's CGNAT (the rest from home). */
    mobileSessionShare: number;
    /** Share of US mobile users on the largest CGNAT carrier. */
    bigCarrierShare: number;
  };
  university: {
    /** Classes (x scale, at least 1). */
    classes: number;
    studentsMin: number;
    studentsMax: number;
    /** Campus NAT addresses (one /24), min and max. */
    natIpsMin: number;
    natIpsMax: number;
    /** Homework deadlines inside the window. */
    deadlines: number;
    /** Share of students who do each homework with the API. */
    homeworkShare: number;
    /** Hours before a deadline over which homework sessions happen. */
    homeworkHours: number;
    /** Students' typical exchanges on an ordinary active day, and their chance to be active. */
    casualRateMedian: number;
    casualActive: number;
    /** Share of students who signed up on shared lab machines (shared device_id). */
    labDeviceShare: number;
    /** Share of students who signed up on the campus network. */
    onCampusSignupShare: number;
    /** Share of weekday daytime sessions from the campus NAT. */
    campusSessionShare: number;
    /** Share of students using the SDK their class recommends (the rest: browser apps). */
    classSdkShare: number;
    /** Share of students on the education plan (the rest: free). */
    educationPlanShare: number;
    /** Share of classes that signed up before the window (the rest: in its first quarter). */
    signupBeforeShare: number;
  };
  enterprise: {
    /** Organizations running batch jobs (x scale, at least 1). */
    orgs: number;
    accountsMin: number;
    accountsMax: number;
    /** Exchanges per organization per day (24/7). */
    orgDaily: number;
    /** Share of an org's volume sent by its nightly batch (machine-regular spacing). */
    batchShare: number;
    /** Seconds between requests of the nightly batch. */
    batchIntervalSeconds: number;
    /** Weekend volume relative to weekdays. */
    weekendFactor: number;
  };
  benchmark: SweepParams & {
    /** Evaluation teams (x scale, at least 1). */
    evaluators: number;
    accountsMax: number;
    /** Hours after the model release by which one evaluator sweeps the new model. */
    releaseSweepWithinHours: number;
  };
  coding: {
    /** Coding-agent power users (x scale, at least 1). */
    users: number;
    /** Model calls (turns) per agent conversation, min and max. */
    turnsMin: number;
    turnsMax: number;
    /** Agent conversations per workday, min and max. */
    conversationsMin: number;
    conversationsMax: number;
    toolsMin: number;
    toolsMax: number;
    /** Chance of working on a weekend day. */
    weekendActive: number;
    /** Per-day chance of switching to the new model after release (agents update fast). */
    adoptionPerDay: number;
    /** Share of calls on the new model once switched. */
    newModelTraffic: number;
    /** Chance of taking a workday off. */
    dayOffShare: number;
    /** Share of users whose agent enables extended thinking (on half its calls). */
    thinkingShare: number;
    /** Share of calls that end in a tool call. */
    toolCallShare: number;
  };
  reseller: {
    /** Legitimate resellers / platforms, one verified account each (x scale, at least 1). */
    resellers: number;
    dailyMin: number;
    dailyMax: number;
    endUsersMin: number;
    endUsersMax: number;
  };
  farm: FarmParams;
  pivot: FarmParams;
  hydra: {
    /** Accounts of the proxy-reseller network (x scale). */
    accounts: number;
    /** Exchanges per account per day, lognormal median. */
    dailyMedian: number;
    /** Share of an account's traffic that is distillation, min and max. */
    distillShareMin: number;
    distillShareMax: number;
    /** Hosting /24s the network runs from. */
    hostingPrefixes: number;
    /** Accounts sharing one card, min and max. */
    cardGroupMin: number;
    cardGroupMax: number;
    /** End customers per account. */
    endUsersMin: number;
    endUsersMax: number;
    /** Share of distillation requests on the new model once an account adopted it. */
    newModelTraffic: number;
    /** Median visible output tokens of a harvested answer. */
    outputMedianTokens: number;
  };
  traceHarvest: {
    /** Accounts (x scale, at least 1). */
    accounts: number;
    dailyMin: number;
    dailyMax: number;
    /** Start as a fraction of the window, and days it runs. */
    startFraction: number;
    activeDays: number;
    /** Shares of reasoning-reconstruction and rubric-grading prompts (the rest: plain reasoning). */
    reconstructionShare: number;
    rubricShare: number;
    thinkingBudgetMin: number;
    thinkingBudgetMax: number;
  };
  /** The operator who hides its infrastructure, at two levels of care (sizes are set by the scenario). */
  hidden: { plain: HiddenCare; careful: HiddenCare };
  /** Hard negatives that share one property each with that operator (scenarios hidden-*). */
  mooc: {
    /** Course cohorts (x scale, at least 1), students per cohort. */
    cohorts: number;
    studentsMin: number;
    studentsMax: number;
    /** Problems in the course's problem set, released in this many modules. */
    problems: number;
    modules: number;
    /** Share of a student's conversations that are course problems while a module is open. */
    courseShare: number;
    /** Share of problem prompts that use the course's prompt guide phrases. */
    guideShare: number;
    /** Chance a student starts a module within two days of its release. */
    moduleStart: number;
  };
  promptLibrary: {
    /** Users of one popular prompt-library browser extension (x scale). */
    users: number;
    /** Snippets the extension offers: elicitation, formatting, follow-ups. */
    elicitPhrases: number;
    formatPhrases: number;
    followupPhrases: number;
    /** Median share of a user's conversations that use a snippet. */
    useShare: number;
  };
  evalOrg: SweepParams & {
    /** Benchmark teams evaluating from many keys of one organization (x scale, at least 1). */
    teams: number;
    accountsMin: number;
    accountsMax: number;
  };
  edtech: {
    /** Ed-tech apps (x scale, at least 1); one API account per school, all from the app's one backend. */
    apps: number;
    schoolsMin: number;
    schoolsMax: number;
    /** Exchanges per school per school day (lognormal median), end users per school. */
    schoolDaily: number;
    endUsersMin: number;
    endUsersMax: number;
    /** Curriculum items the app's students ask about (many students, the same items). */
    curriculum: number;
  };
  outage: {
    /** Ordinary users on one country's residential ISPs hit by regional outages (x scale). */
    users: number;
    /** Outages over the window and their length in hours. */
    outages: number;
    hoursMin: number;
    hoursMax: number;
    /** Share of sessions that fall in an outage and happen right after it instead of not at all. */
    catchUpShare: number;
  };
  evasive: {
    /** Accounts (x scale). */
    accounts: number;
    dailyMin: number;
    dailyMax: number;
    /** Chance an account is active on a given day. */
    activeDay: number;
    /** Sign-ups come in clusters of min..max accounts spread over this many days. */
    signupSpreadDays: number;
    clusterMin: number;
    clusterMax: number;
    /** Share of organic-looking prompts mixed in as cover. */
    coverShare: number;
    /** Paraphrases of the harvesting scaffold. */
    paraphrases: number;
    /** Card issuers (BINs) the unique cards come from. */
    issuers: number;
    /** Start as a fraction of the window. */
    startFraction: number;
    /** Share of accounts on a paid plan (the rest: free). */
    paidShare: number;
    /** Share of traffic on the new model once an account adopted it. */
    newModelTraffic: number;
    /** Median visible output tokens of a harvested answer. */
    outputMedianTokens: number;
  };
}

const FARM: FarmParams = {
  liveAccounts: 90,
  perAccountDaily: 26,
  lifetimeMedianDays: 5,
  lifetimeSigma: 0.7,
  burstMin: 10,
  burstMax: 40,
  burstHours: 1.5,
  reserveLow: 3,
  replaceDelayMinutes: 20,
  cardShareMin: 3,
  cardShareMax: 8,
  rareBins: 3,
  deviceReuse: 0.3,
  phoneVerifiedShare: 0.15,
  startFraction: 0.07,
  rampHours: 12,
  sessionMinutes: 45,
  slotShare: 0.25,
  rateWobble: 0.15,
  newModelShare: 0,
  switchAfterHoursMin: 1,
  switchAfterHoursMax: 8,
  switchRampHours: 6,
  cardedShare: 0.85,
  noVerificationShare: 0.35,
  outputMedianTokens: 2600,
};

export const DEFAULTS: SimParams = {
  window: { releaseFraction: 0.4, releaseHourUtc: 17 },
  traffic: { rate429: 0.004, rate5xx: 0.002, maxPromptChars: 1500, historyChars: 300 },
  organic: {
    accounts: 4000,
    rateMedian: 2.0,
    rateSigma: 1.15,
    dayJitterSigma: 0.45,
    dailyShare: 0.16,
    dailyActive: 0.85,
    regularShare: 0.4,
    regularActive: 0.45,
    occasionalActive: 0.12,
    turnsMean: 2.2,
    signupInWindowShare: 0.05,
    quitShare: 0.05,
    mobileUserShare: 0.15,
    mobileSessionShare: 0.3,
    ipv6Share: 0.15,
    homeIpChangeShare: 0.1,
    freeShare: 0.4,
    programShare: 0.02,
    sharedCardShare: 0.08,
    prepaidShare: 0.03,
    upgradeShare: 0.03,
    stepByStepShare: 0.01,
    adoptionPerDay: 0.03,
    newModelTraffic: 0.75,
    browserShare: 0.55,
    developerBrowserShare: 0.15,
    sdkConversationIdShare: 0.25,
    browserSystemShare: 0.55,
    sdkSystemShare: 0.3,
    thinkingAccountShare: 0.06,
    developerToolsShare: 0.12,
    officeShare: 0.4,
    familyShare: 0.6,
    teamOrgShare: 0.1,
  },
  sharedNat: {
    mobileAccounts: 800,
    corporateAccounts: 200,
    corporateCompanies: 2,
    cgnatAddressesPerCarrier: 12,
    corporateEgressIps: 3,
    mobileSessionShare: 0.85,
    bigCarrierShare: 0.75,
  },
  university: {
    classes: 4,
    studentsMin: 25,
    studentsMax: 60,
    natIpsMin: 3,
    natIpsMax: 6,
    deadlines: 2,
    homeworkShare: 0.85,
    homeworkHours: 48,
    casualRateMedian: 2,
    casualActive: 0.2,
    labDeviceShare: 0.3,
    onCampusSignupShare: 0.6,
    campusSessionShare: 0.7,
    classSdkShare: 0.6,
    educationPlanShare: 0.85,
    signupBeforeShare: 0.7,
  },
  enterprise: {
    orgs: 2,
    accountsMin: 10,
    accountsMax: 30,
    orgDaily: 1500,
    batchShare: 0.3,
    batchIntervalSeconds: 2,
    weekendFactor: 0.8,
  },
  benchmark: {
    evaluators: 4,
    accountsMax: 3,
    sweepsMin: 1,
    sweepsMax: 3,
    itemsMin: 1000,
    itemsMax: 3000,
    hoursMin: 2,
    hoursMax: 6,
    releaseSweepWithinHours: 20,
  },
  coding: {
    users: 10,
    turnsMin: 50,
    turnsMax: 200,
    conversationsMin: 1,
    conversationsMax: 2,
    toolsMin: 10,
    toolsMax: 20,
    weekendActive: 0.2,
    adoptionPerDay: 0.4,
    newModelTraffic: 0.85,
    dayOffShare: 0.1,
    thinkingShare: 0.4,
    toolCallShare: 0.85,
  },
  reseller: { resellers: 3, dailyMin: 400, dailyMax: 700, endUsersMin: 300, endUsersMax: 3000 },
  farm: { ...FARM },
  pivot: {
    ...FARM,
    liveAccounts: 20,
    lifetimeMedianDays: 7,
    burstMin: 8,
    burstMax: 20,
    startFraction: 0.1,
    newModelShare: 0.5,
  },
  hydra: {
    accounts: 40,
    dailyMedian: 60,
    distillShareMin: 0.3,
    distillShareMax: 0.6,
    hostingPrefixes: 3,
    cardGroupMin: 3,
    cardGroupMax: 6,
    endUsersMin: 50,
    endUsersMax: 400,
    newModelTraffic: 0.3,
    outputMedianTokens: 2400,
  },
  traceHarvest: {
    accounts: 8,
    dailyMin: 300,
    dailyMax: 800,
    startFraction: 0.25,
    activeDays: 10,
    reconstructionShare: 0.6,
    rubricShare: 0.25,
    thinkingBudgetMin: 16000,
    thinkingBudgetMax: 32000,
  },
  hidden: {
    plain: {
      rateMin: 8, rateMax: 30, activeDay: 0.85, coverShare: 0.15, turnsMean: 1.6, elicitShare: 0.85, formatShare: 0.6,
      phraseVariation: 0.3, elicitPhrases: 4, formatPhrases: 2, followupPhrases: 3, configs: 1, passes: 2,
      stops: 4, stopHoursMin: 1, stopHoursMax: 10, backlogShare: 0.7, resumeMinutes: 15, thinkShare: 0.3,
      startFraction: 0.05, rampDays: 1, outputMedianTokens: 2200,
    },
    careful: {
      rateMin: 3, rateMax: 24, activeDay: 0.7, coverShare: 0.4, turnsMean: 1.4, elicitShare: 0.6, formatShare: 0.4,
      phraseVariation: 0.6, elicitPhrases: 8, formatPhrases: 4, followupPhrases: 6, configs: 3, passes: 1.5,
      stops: 3, stopHoursMin: 1, stopHoursMax: 6, backlogShare: 0.3, resumeMinutes: 120, thinkShare: 0.15,
      startFraction: 0.05, rampDays: 4, outputMedianTokens: 1800,
    },
  },
  mooc: { cohorts: 2, studentsMin: 150, studentsMax: 300, problems: 40, modules: 4, courseShare: 0.5, guideShare: 0.6, moduleStart: 0.6 },
  promptLibrary: { users: 1500, elicitPhrases: 6, formatPhrases: 4, followupPhrases: 4, useShare: 0.35 },
  evalOrg: { teams: 1, accountsMin: 20, accountsMax: 40, sweepsMin: 3, sweepsMax: 6, itemsMin: 1500, itemsMax: 4000, hoursMin: 3, hoursMax: 10 },
  edtech: { apps: 1, schoolsMin: 20, schoolsMax: 40, schoolDaily: 60, endUsersMin: 50, endUsersMax: 400, curriculum: 300 },
  outage: { users: 500, outages: 2, hoursMin: 3, hoursMax: 8, catchUpShare: 0.4 },
  evasive: {
    accounts: 60,
    dailyMin: 8,
    dailyMax: 12,
    activeDay: 0.85,
    signupSpreadDays: 14,
    clusterMin: 2,
    clusterMax: 5,
    coverShare: 0.3,
    paraphrases: 24,
    issuers: 3,
    startFraction: 0.03,
    paidShare: 0.8,
    newModelTraffic: 0.5,
    outputMedianTokens: 1900,
  },
};

export function cloneParams(p: SimParams = DEFAULTS): SimParams {
  return structuredClone(p);
}

/** Apply `path=value` overrides (numeric fields only); throws a one-line Error on a bad one. */
export function applyOverrides(p: SimParams, sets: readonly string[]): SimParams {
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new Error(`bad parameter override "${s}": expected path=value, e.g. farm.liveAccounts=120`);
    const path = s.slice(0, eq).trim().split('.');
    const raw = s.slice(eq + 1).trim();
    const value = Number(raw);
    if (raw === '' || !Number.isFinite(value)) throw new Error(`bad parameter override "${s}": value must be a number`);
    let obj: Record<string, unknown> = p as unknown as Record<string, unknown>;
    for (let i = 0; i < path.length - 1; i++) {
      const next = obj[path[i]];
      if (typeof next !== 'object' || next === null) throw new Error(`unknown parameter "${path.join('.')}"`);
      obj = next as Record<string, unknown>;
    }
    const leaf = path[path.length - 1];
    if (typeof obj[leaf] !== 'number') throw new Error(`unknown parameter "${path.join('.')}"`);
    if (value < 0) throw new Error(`bad parameter override "${s}": value must be >= 0`);
    obj[leaf] = value;
  }
  return p;
}
