// Drives the vendor's JavaScript SDK (@voucherify/sdk 2.x) through every call of its campaigns
// namespace against a live mock, and prints what each step answered as one JSON object.
//
//   node lifecycle.cjs <base-url> <input.json>
//
// input.json: {"examples": {name: create body}, "csv": path of a CSV file to import}
// Each step records {ok: true, value} or {ok: false, code, key, details, resource_type}.
'use strict'
const fs = require('fs')
const { VoucherifyServerSide } = require('@voucherify/sdk')

const [baseUrl, inputPath] = process.argv.slice(2)
const input = JSON.parse(fs.readFileSync(inputPath, 'utf8'))
const client = VoucherifyServerSide({ applicationId: 'js-app-id', secretKey: 'js-secret-key', apiUrl: baseUrl })
const results = {}

async function step(name, call) {
  try {
    results[name] = { ok: true, value: await call() }
  } catch (error) {
    if (error.code === undefined && error.key === undefined) throw error // not an API error
    results[name] = {
      ok: false,
      code: error.code,
      key: error.key,
      details: error.details,
      resource_type: error.resource_type,
    }
  }
  return results[name].value
}

const NAME = 'JS Summer 50% $ale / 2026'

async function main() {
  const { campaigns, vouchers, asyncActions } = client

  // create: the vendor's own example of each campaign type, then one of ours
  for (const [name, body] of Object.entries(input.examples)) {
    await step(`create ${name}`, () => campaigns.create(body))
  }
  const created = await step('create', () =>
    campaigns.create({
      name: NAME,
      campaign_type: 'DISCOUNT_COUPONS',
      type: 'AUTO_UPDATE',
      vouchers_count: 3,
      metadata: { region: 'EMEA' },
      voucher: {
        type: 'DISCOUNT_VOUCHER',
        discount: { type: 'PERCENT', percent_off: 50, effect: 'APPLY_TO_ORDER' },
        code_config: { pattern: 'JS-####', charset: 'ABCDEFGH' },
        is_referral_code: false,
      },
    }),
  )
  const id = created.id

  // read by id and by name, update, disable and enable
  await step('get by id', () => campaigns.get(id))
  await step('get by name', () => campaigns.get(NAME))
  await step('update by name', () => campaigns.update(NAME, { description: 'From JS', metadata: { team: 'growth' } }))
  await step('disable', () => campaigns.disable(NAME))
  await step('get disabled', () => campaigns.get(id))
  await step('enable', () => campaigns.enable(id))
  await step('get enabled', () => campaigns.get(id))

  // add vouchers: generated, with a code, several at once, with a certain code
  await step('add voucher', () => campaigns.addVoucher(NAME))
  await step('add voucher with code', () => campaigns.addVoucher(NAME, { code: 'JS-CODE-1', metadata: { channel: 'email' } }))
  const bulk = await step('add vouchers', () => campaigns.addVoucher(NAME, {}, { vouchers_count: 4 }))
  await step('add certain voucher', () =>
    campaigns.addCertainVoucher(NAME, 'JS-CODE-2', { additional_info: 'given', redemption: { quantity: 2 } }),
  )
  await step('add a taken code', () => campaigns.addVoucher(NAME, { code: 'JS-CODE-1' }))

  // import: JSON items and a CSV file
  const imported = await step('import', () =>
    campaigns.importVouchers(NAME, [
      { code: 'JS-IMPORT-1', category: 'Imported', metadata: { batch: 1 } },
      { code: 'JS-IMPORT-2', active: false },
      { code: 'JS-CODE-1' },
    ]),
  )
  const importedCsv = await step('import CSV', () => campaigns.importVouchersCSV(id, input.csv))

  // the async actions reporting them
  await step('async add vouchers', () => asyncActions.get(bulk.async_action_id))
  await step('async import', () => asyncActions.get(imported.async_action_id))
  await step('async import CSV', () => asyncActions.get(importedCsv.async_action_id))
  await step('async list', () => asyncActions.list({ limit: 3 }))

  // read the vouchers back
  await step('voucher', () => vouchers.get('JS-CODE-1'))
  await step('voucher imported', () => vouchers.get('JS-IMPORT-2'))
  await step('vouchers by campaign name', () => vouchers.list({ campaign: NAME, limit: 100 }))
  await step('vouchers by campaign id', () => vouchers.list({ campaign_id: id, limit: 100 }))
  await step('get after vouchers', () => campaigns.get(id))

  // list with every parameter of seed 001
  await step('list', () => campaigns.list())
  await step('list paged', () => campaigns.list({ limit: 2, page: 2, order: 'created_at' }))
  await step('list by type', () => campaigns.list({ campaign_type: 'LOYALTY_PROGRAM', expand: 'category' }))
  await step('list by status and referral', () =>
    campaigns.list({ campaign_status: 'DONE', is_referral_code: true, limit: 100 }),
  )
  await step('list filtered', () =>
    campaigns.list({
      filters: { campaigns: { conditions: { $in: [NAME, 'Static Campaign'] } }, junction: 'and' },
      order: '-updated_at',
    }),
  )
  await step('list by area', () =>
    campaigns.list({ access_settings: { filter: { areas_ids: ['ar_nowhere'] } } }),
  )

  // the deprecated qualification: routed, not served
  await step('qualifications', () => campaigns.qualifications.examine({}))

  // delete: to the bin (the name stays taken), then for good (the name is free)
  const binned = await step('delete', () => campaigns.delete(NAME))
  await step('async delete', () => asyncActions.get(binned.async_action_id))
  await step('get deleted', () => campaigns.get(id))
  await step('voucher of deleted', () => vouchers.get('JS-CODE-1'))
  await step('create deleted name', () => campaigns.create({ name: NAME, campaign_type: 'PROMOTION' }))
  const other = await step('create other', () =>
    campaigns.create({ name: 'JS forced', campaign_type: 'GIFT_VOUCHERS', vouchers_count: 1, voucher: { gift: { amount: 500 } } }),
  )
  await step('delete force', () => campaigns.delete(other.id, { force: true }))
  await step('create forced name', () => campaigns.create({ name: 'JS forced', campaign_type: 'PROMOTION' }))
}

main()
  .then(() => process.stdout.write(JSON.stringify(results)))
  .catch((error) => {
    process.stderr.write(`${error.stack || error}\n${JSON.stringify(results)}\n`)
    process.exit(1)
  })
