// Two languages: Chinese (zh-CN, the default) and English. Every visible word comes from here.
const zh = {
  appName: '联盟账本', signIn: '登录', signOut: '退出', language: 'English', languageCode: 'en',
  pasteToken: '粘贴访问令牌', tokenHelp: '运行 run.sh 时会打印各角色的演示令牌；生产环境请使用单点登录。', tokenSignIn: '用令牌登录',
  oidcSignIn: '单点登录（OpenID Connect）', signInFailed: '登录失败', signedInAs: '当前用户',
  roles: { 'finance-officer': '财务人员', auditor: '审计员', member: '成员馆', operator: '运维', service: '服务平台' },
  overview: '联盟概览', member: '成员馆', myLibrary: '本馆', sharing: '联合采购与费用分摊', periods: '结算期', funding: '项目经费',
  loading: '加载中…', retry: '重试', error: '出错了', notAllowed: '无权访问', noData: '暂无数据', close: '关闭',
  balances: '各成员余额', account: '账户', balance: '余额', late: '迟记', total: '合计', totalZero: '合计为零：借贷平衡',
  totalNotZero: '合计不为零！', netPositions: '净头寸（正数：中心应付成员；负数：成员应付中心）',
  openDisputes: '未决费用争议', noDisputes: '没有未决的费用争议', kind: '类型', id: '编号', borrower: '借入方', lender: '借出方', title: '题名',
  statedCharge: '声明费用', maximumCost: '最高费用', raisedAt: '提出时间', loan: '馆际借阅', delivery: '文献传递',
  periodList: '结算期', period: '结算期', from: '起', to: '止', state: '状态', closed: '已结算', open: '未结算', closedAt: '结算时间',
  balanceNow: '当前余额', asOfDate: '截至日期', balanceOverTime: '余额走势', statement: '对账单', filters: '筛选', apply: '查询',
  date: '业务日期', amount: '金额', counterAccounts: '对方账户', eventType: '事件', recordedBy: '记录人', recordedAt: '记录时间',
  details: '详情', more: '加载更多', opening: '期初余额', closing: '期末余额', lateEntries: '迟记条目',
  usage: '使用统计', lentBorrowed: '借出与借入', lent: '借出（供应）', borrowed: '借入（满足）', fillRate: '满足率', turnaround: '周转时间（小时，中位数）',
  asBorrower: '作为借入方', asLender: '作为借出方', month: '月份',
  unsettled: '未结算费用', unsettledNone: '没有未结算的费用', sinceLast: '上次结算期', count: '笔数',
  event: '事件详情', sequence: '序号', stream: '事件流', version: '版本', role: '角色', chain: '哈希链', chainLink: '本事件的链接',
  chainHead: '对账单所依据的链头', data: '事件内容', backTo: '返回',
  purchases: '联合采购', costShares: '费用分摊', resource: '资源', vendor: '供应商', status: '状态', listPrice: '报价', invoice: '发票',
  method: '分摊方法', inputs: '分摊依据', participant: '参与馆', fte: 'FTE', usageCount: '使用量', share: '分摊额', covered: '经费承担',
  pays: '实付', costPerUse: '单次使用成本', withdrawn: '已退出', corrections: '重新分摊', purpose: '用途', payee: '收款方', sharesChart: '分摊比例',
  noPurchases: '没有联合采购', noCostShares: '没有费用分摊',
  closePeriod: '结算', closeFirstOpen: '结算首个未结算期', previewTitle: '结算预览：确认前请核对轧差结果', confirmClose: '确认结算',
  cancel: '取消', positions: '账户头寸', movement: '本期发生额', bilateral: '双边轧差', statements: '对账单', toPay: '应付', toReceive: '应收',
  lines: '条目', digest: '摘要', download: '下载', settlement: '结算结果', closedOk: '已结算，对账单已出具', view: '查看',
  fundingReport: '经费报告', project: '项目', subProject: '子项目', budget: '预算', allocated: '已拨付', spent: '已支出', remaining: '结余',
  executionRate: '执行率', expenditures: '支出明细', entries: '经费流水', line: '预算科目', verification: '哈希链校验', verifyNow: '立即校验', selfCheck: '自动校验', fullPass: '上次全量校验',
  intact: '完整：没有任何事件被改动', broken: '已损坏', checkedUpTo: '校验至序号', head: '链头', undertaking: '承担单位',
  coveredLicences: '经费承担的数据库', subsidisedRequests: '受补贴请求', subsidisedPages: '受补贴页数', rewardsPaid: '奖励', allianceCol: '联盟',
  consoleNotForRole: '此控制台面向财务人员、审计员和成员馆；当前令牌的角色可使用 API。', chooseAlliance: '联盟',
  memberOf: '成员', members: '成员馆', name: '名称',
};

const en = {
  appName: 'Alliance Ledger', signIn: 'Sign in', signOut: 'Sign out', language: '中文', languageCode: 'zh-CN',
  pasteToken: 'Paste an access token', tokenHelp: 'run.sh prints a demo token for each role; in production, use single sign-on.', tokenSignIn: 'Sign in with token',
  oidcSignIn: 'Single sign-on (OpenID Connect)', signInFailed: 'Sign-in failed', signedInAs: 'Signed in as',
  roles: { 'finance-officer': 'Finance officer', auditor: 'Auditor', member: 'Member library', operator: 'Operator', service: 'Service platform' },
  overview: 'Alliance overview', member: 'Member', myLibrary: 'Our library', sharing: 'Joint purchases and cost shares', periods: 'Periods', funding: 'Funding',
  loading: 'Loading…', retry: 'Retry', error: 'Something went wrong', notAllowed: 'Not allowed', noData: 'No data yet', close: 'Close',
  balances: "Members' balances", account: 'Account', balance: 'Balance', late: 'Late', total: 'Total', totalZero: 'The total is zero: the ledger balances',
  totalNotZero: 'The total is not zero!', netPositions: 'Net positions (positive: the centre owes the member; negative: the member owes)',
  openDisputes: 'Open charge disputes', noDisputes: 'No open charge disputes', kind: 'Kind', id: 'Id', borrower: 'Borrower', lender: 'Lender', title: 'Title',
  statedCharge: 'Stated charge', maximumCost: 'Maximum cost', raisedAt: 'Raised at', loan: 'Loan', delivery: 'Document delivery',
  periodList: 'Settlement periods', period: 'Period', from: 'From', to: 'To', state: 'State', closed: 'Closed', open: 'Open', closedAt: 'Closed at',
  balanceNow: 'Balance now', asOfDate: 'As of', balanceOverTime: 'Balance over time', statement: 'Statement', filters: 'Filters', apply: 'Show',
  date: 'Business date', amount: 'Amount', counterAccounts: 'Counter accounts', eventType: 'Event', recordedBy: 'Recorded by', recordedAt: 'Recorded at',
  details: 'Details', more: 'Load more', opening: 'Opening balance', closing: 'Closing balance', lateEntries: 'Late entries',
  usage: 'Usage', lentBorrowed: 'Lent and borrowed', lent: 'Lent (supplied)', borrowed: 'Borrowed (filled)', fillRate: 'Fill rate', turnaround: 'Turnaround (hours, median)',
  asBorrower: 'As borrower', asLender: 'As lender', month: 'Month',
  unsettled: 'Unsettled charges', unsettledNone: 'Nothing unsettled', sinceLast: 'Last closed period', count: 'Count',
  event: 'Event', sequence: 'Sequence', stream: 'Stream', version: 'Version', role: 'Role', chain: 'Hash chain', chainLink: "This event's link",
  chainHead: 'Chain head the statement rests on', data: 'Event data', backTo: 'Back',
  purchases: 'Joint purchases', costShares: 'Cost shares', resource: 'Resource', vendor: 'Vendor', status: 'Status', listPrice: 'List price', invoice: 'Invoice',
  method: 'Split method', inputs: 'Split inputs', participant: 'Participant', fte: 'FTE', usageCount: 'Usage', share: 'Share', covered: 'Covered by grant',
  pays: 'Pays', costPerUse: 'Cost per use', withdrawn: 'Withdrawn', corrections: 'Reallocations', purpose: 'Purpose', payee: 'Payee', sharesChart: 'Shares',
  noPurchases: 'No joint purchases', noCostShares: 'No cost shares',
  closePeriod: 'Close', closeFirstOpen: 'Close the first open period', previewTitle: 'Close preview: check the netting before you confirm', confirmClose: 'Confirm close',
  cancel: 'Cancel', positions: 'Positions', movement: 'Movement', bilateral: 'Bilateral netting', statements: 'Statements', toPay: 'To pay', toReceive: 'To receive',
  lines: 'Lines', digest: 'Digest', download: 'Download', settlement: 'Settlement', closedOk: 'Closed; statements issued', view: 'View',
  fundingReport: 'Funding report', project: 'Project', subProject: 'Sub-project', budget: 'Budget', allocated: 'Allocated', spent: 'Spent', remaining: 'Remaining',
  executionRate: 'Execution rate', expenditures: 'Expenditures', entries: 'Movements', line: 'Budget line', verification: 'Hash-chain verification', verifyNow: 'Verify now', selfCheck: 'Verified by the node', fullPass: 'last full pass',
  intact: 'Intact: no event has been altered', broken: 'Broken', checkedUpTo: 'Checked up to sequence', head: 'Head', undertaking: 'Undertaking member',
  coveredLicences: 'Licences covered by grants', subsidisedRequests: 'Subsidised requests', subsidisedPages: 'Subsidised pages', rewardsPaid: 'Rewards', allianceCol: 'Alliance',
  consoleNotForRole: "This console is for finance officers, auditors and member libraries; this token's role uses the API.", chooseAlliance: 'Alliance',
  memberOf: 'Member', members: 'Members', name: 'Name',
};

const dictionaries = { 'zh-CN': zh, en };
let locale = localStorage.getItem('ledger.locale') === 'en' ? 'en' : 'zh-CN';

export const t = (key) => dictionaries[locale][key] ?? key;
export const roleName = (role) => dictionaries[locale].roles[role] ?? role;
export const currentLocale = () => locale;

export function toggleLocale() {
  locale = locale === 'en' ? 'zh-CN' : 'en';
  localStorage.setItem('ledger.locale', locale);
  document.documentElement.lang = locale;
}

document.documentElement.lang = locale;

const intlLocale = () => (locale === 'en' ? 'en-GB' : 'zh-CN');

/** An amount of money as the API gives it (yuan, two decimals), shown as currency with exactly two decimals. */
export function money(amount, currency = 'CNY') {
  if (amount === null || amount === undefined) return '—';
  return new Intl.NumberFormat(intlLocale(), { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount);
}

export const number = (n) => (n === null || n === undefined ? '—' : new Intl.NumberFormat(intlLocale()).format(n));

export const percent = (rate) => (rate === null || rate === undefined ? '—'
  : new Intl.NumberFormat(intlLocale(), { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(rate));

/** A moment, shown in the alliance's time zone (business dates are already dates of that zone and are shown as they are). */
export function moment(iso, timeZone = 'Asia/Shanghai') {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(intlLocale(), { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
    .format(new Date(iso));
}

/** Today's date in the alliance's time zone, as YYYY-MM-DD. */
export function today(timeZone = 'Asia/Shanghai') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
