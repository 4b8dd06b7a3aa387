import { strict as assert } from "node:assert";
import { SMS_TEXT_MAX_CHARS, alertRouteOf, messageAttributes, smsText, summaryLine } from "../../handlers/core/alerts";
import { publishMessageXml } from "../../handlers/cloud/mns";
import type { CriticalAlert } from "../../handlers/core/handler";

const alert: CriticalAlert = { name: "EventOps:Test", summary: "maintenance SystemMaintenance.Reboot of i-bp1234567890abcdefgh needs a person", detail: {} };

describe("alert messages: mail subject, SMS text, attributes", () => {
  it("the summary line carries the severity; the SMS text fits one template variable", () => {
    assert.equal(summaryLine(alert), "[CRITICAL] maintenance SystemMaintenance.Reboot of i-bp1234567890abcdefgh needs a person");
    const text = smsText(alert);
    assert.equal([...text].length, SMS_TEXT_MAX_CHARS);
    assert.equal(text, "maintenance SystemMaintenance.Rebo…");
    assert.equal(smsText({ ...alert, short: "maint Reboot i-bp1234567890abcdefgh" }), "maint Reboot i-bp1234567890abcdefgh", "35 characters fit as they are");
  });

  it("no mail account and no SMS pair: no attributes at all; each kind only when configured", () => {
    assert.equal(messageAttributes(alert, alertRouteOf({ alertTopic: "t" })!), undefined);
    assert.deepEqual(Object.keys(messageAttributes(alert, alertRouteOf({ alertTopic: "t", alertSms: { signName: "S", templateCode: "SMS_1" } })!)!), ["DirectSMS"]);
    assert.equal(alertRouteOf({ alertMail: { accountName: "a@b.c" } }), undefined, "no topic, no route");
  });

  it("PublishMessage XML: each attribute is a JSON object inside its element, escaped; none without attributes", () => {
    const attributes = messageAttributes({ ...alert, summary: "a <b> & \"c\"" }, { topic: "t", mail: { accountName: "a@b.c" } })!;
    const xml = publishMessageXml("{}", attributes);
    assert.match(xml, /<MessageBody>\{\}<\/MessageBody><MessageAttributes><DirectMail>\{&quot;AccountName&quot;:&quot;a@b\.c&quot;,&quot;Subject&quot;:&quot;\[CRITICAL\] a &lt;b&gt; &amp; \\&quot;c\\&quot;&quot;,/);
    assert.doesNotMatch(publishMessageXml("{}"), /MessageAttributes/);
  });
});
