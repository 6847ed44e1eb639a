import type { MockCorpSeed } from './mock-types.js';

/**
 * The ids the callback examples in `seeds/suite-config-and-events.md` and the WeCom API docs use, so a
 * sample callback built from those examples enriches against the mock without extra set-up.
 */
export const DEFAULT_CORP_IDS = {
  corpId: 'wxf8b4f85f3a794e77',
  /** The external user of every change_external_contact example. */
  externalUserid: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w',
  /** A WeChat (type 1) customer, from the externalcontact docs. */
  wechatExternalUserid: 'wmqfasd1e1927831291723123109rAAA',
  /** The chat id of the groupchat/get doc example. */
  chatId: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA',
  /** The placeholder `ChatId` of the seed's change_external_chat examples. */
  seedChatId: 'CHAT_ID',
  /** The placeholder `Id` of the seed's change_external_tag examples (TagType tag). */
  seedTagId: 'TAG_ID',
  /** The tag id of the externalcontact/get doc example. */
  tagId: 'etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA',
  tagGroupId: 'etAJ2GCAAAXtWyujaWJHDDGi0mACHGRP',
  /** `CurMemVer` of the seed's change_external_chat update example (also the doc's member_version). */
  memberVersion: '71217227bbd112ecfe3a49c482195cb4',
  /** A member outside the app's visible range (user/get → 60011). */
  invisibleUserid: 'wangwu',
  /** A department outside the app's visible range (department/get → 60011). */
  invisibleDepartmentId: 4,
} as const;

const T0 = 1_557_838_797; // create_time of the get_corp_tag_list doc example
const MEMBER_TAGS = [
  { group_name: '客户等级', tag_name: '重要客户', tag_id: DEFAULT_CORP_IDS.tagId, type: 1 },
  { group_name: '客户等级', tag_name: '意向客户', tag_id: DEFAULT_CORP_IDS.seedTagId, type: 1 },
  { group_name: '个人标签', tag_name: '老朋友', type: 2 },
] as const;

/** The built-in corp: used when `issueAuthCode` gets no corp, and by the install stand-in by default. */
export const DEFAULT_MOCK_CORP: MockCorpSeed = {
  corpId: DEFAULT_CORP_IDS.corpId,
  corpName: '测试企业',
  corpFullName: '测试企业有限公司',
  agentId: 1000012,
  adminUserid: 'zhangsan',
  users: [
    {
      userid: 'zhangsan', name: '张三', department: [1, 2], order: [1, 2], main_department: 2,
      is_leader_in_dept: [0, 1], direct_leader: ['lisi'], status: 1, position: '后台工程师', gender: '1',
      mobile: '13800000000', email: 'zhangsan@example.com', alias: 'jackzhang',
      avatar: 'https://wework.qpic.cn/wwhead/mock-zhangsan/0',
    },
    {
      userid: 'lisi', name: '李四', department: [1], order: [0], main_department: 1, is_leader_in_dept: [1],
      direct_leader: [], status: 1, position: '总经理', gender: '2',
    },
    { userid: 'Jack', name: 'Jack', department: [3], main_department: 3, status: 1 },
    { userid: 'Rose', name: 'Rose', department: [3], main_department: 3, status: 4 },
    { userid: DEFAULT_CORP_IDS.invisibleUserid, name: '王五', department: [4], main_department: 4, status: 1, visible: false },
  ],
  departments: [
    { id: 1, name: '测试企业', parentid: 0, order: 100000000, department_leader: ['lisi'] },
    { id: 2, name: '研发中心', name_en: 'R&D', parentid: 1, order: 10, department_leader: ['zhangsan'] },
    { id: 3, name: '销售部', name_en: 'Sales', parentid: 1, order: 9 },
    { id: DEFAULT_CORP_IDS.invisibleDepartmentId, name: '财务部', parentid: 1, order: 8, visible: false },
  ],
  externalContacts: [
    {
      external_userid: DEFAULT_CORP_IDS.externalUserid, name: '李部长', type: 2, gender: 1,
      avatar: 'http://p.qlogo.cn/bizmail/IcsdgagqefergqerhewSdage/0', position: 'Manager',
      corp_name: '腾讯', corp_full_name: '腾讯科技有限公司',
      follow_user: [
        {
          userid: 'zhangsan', remark: '李部长', description: '对接采购事务', createtime: 1_525_779_812,
          tags: MEMBER_TAGS, remark_corp_name: '腾讯科技', remark_mobiles: ['13800000001'],
          oper_userid: 'zhangsan', add_way: 1, state: 'teststate',
        },
        {
          userid: 'lisi', remark: '李总', description: '采购问题咨询', createtime: 1_525_881_637,
          oper_userid: DEFAULT_CORP_IDS.externalUserid, add_way: 3, state: '外联二维码1',
        },
        { userid: 'Jack', remark: '', description: '', createtime: 1_525_881_700, oper_userid: 'lisi', add_way: 202 },
      ],
    },
    {
      external_userid: DEFAULT_CORP_IDS.wechatExternalUserid, name: '微信客户', type: 1, gender: 2,
      avatar: 'http://wx.qlogo.cn/mmhead/mock-wechat-customer/0', unionid: 'ozynqsulJFCZ2z1aYeS8h-nuasdAAA',
      follow_user: [{ userid: 'zhangsan', remark: '', description: '', createtime: 1_600_000_000, add_way: 1, oper_userid: 'zhangsan' }],
    },
  ],
  groupChats: [chat(DEFAULT_CORP_IDS.chatId, '客户群'), chat(DEFAULT_CORP_IDS.seedChatId, '示例客户群')],
  tagGroups: [
    {
      group_id: DEFAULT_CORP_IDS.tagGroupId, group_name: '客户等级', create_time: T0, order: 1,
      tag: [
        { id: DEFAULT_CORP_IDS.tagId, name: '重要客户', create_time: T0, order: 2 },
        { id: DEFAULT_CORP_IDS.seedTagId, name: '意向客户', create_time: T0, order: 1 },
        { id: 'etAJ2GCAAAXtWyujaWJHDDGi0mACHDEL', name: '流失客户', create_time: T0, order: 0, deleted: true },
      ],
    },
    {
      group_id: 'etAJ2GCAAAXtWyujaWJHDDGi0mACHSRC', group_name: '客户来源', create_time: T0 + 60, order: 0,
      tag: [{ id: 'etAJ2GCAAAXtWyujaWJHDDGi0mACHEXP', name: '展会', create_time: T0 + 60, order: 0 }],
    },
  ],
};

/** A group chat with the seed's members: Jack and Rose joined in the update example, plus the customer. */
function chat(chatId: string, name: string): MockCorpSeed['groupChats'][number] {
  return {
    chat_id: chatId, name, owner: 'zhangsan', create_time: 1_572_505_490, notice: '文明沟通，拒绝脏话',
    member_list: [
      { userid: 'zhangsan', type: 1, join_time: 1_572_505_491, join_scene: 1, group_nickname: '张三', name: '张三' },
      { userid: 'Jack', type: 1, join_time: 1_572_505_600, join_scene: 1, invitor: { userid: 'zhangsan' }, name: 'Jack' },
      { userid: 'Rose', type: 1, join_time: 1_572_505_601, join_scene: 3, name: 'Rose' },
      {
        userid: DEFAULT_CORP_IDS.externalUserid, type: 2, join_time: 1_572_507_491, join_scene: 1,
        invitor: { userid: 'zhangsan' }, group_nickname: '李部长', name: '李部长',
      },
    ],
    admin_list: [{ userid: 'Jack' }],
    member_version: DEFAULT_CORP_IDS.memberVersion,
  };
}
