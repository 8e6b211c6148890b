// ES module entry: the native module is a CommonJS addon, re-exported here by name so that
// `import { parseOrder, LoyaltyProgram } from 'earlybird'` works. Keep the list in step with index.d.ts
// (the test suite checks that both entries export the same names).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const binding = require('./index.js')

export const {
  auditDocument,
  cancel,
  confirmDelivery,
  correctDelivery,
  correctRecordedDelivery,
  customerDocument,
  deliveryDocument,
  dispatch,
  documentProblems,
  dueBetween,
  dueOn,
  gstRateOn,
  isPausedOn,
  LoyaltyProgram,
  nearestNeighbourPlan,
  normalizePhone,
  orderDocument,
  parseCustomer,
  parseDelivery,
  parseMany,
  parseManyAsync,
  parseOrder,
  parsePayment,
  parseProduct,
  parseSubscription,
  paymentDocument,
  priceOn,
  productDocument,
  recordDelivery,
  renderSvg,
  runsOn,
  solve,
  solveAsync,
  subscriptionDocument,
  validateDataset,
  validateDatasetAsync,
  validatePlan,
  validEmail,
  version,
} = binding

export default binding
