import { describe, expect, it } from '@jest/globals';
import { CHECK_UPDATE_SCHEMA, DecodeError, SERVICE_DEFINITION_SCHEMA, decodeJson } from '../../src/json-decode.js';

describe('Go-style JSON decoding', () => {
  it('matches keys case-insensitively and accepts snake_case in definitions', () => {
    const d = decodeJson('{"name":"a","TAGS":["x"],"tagged_addresses":{"lan":{"address":"1.2.3.4","port":1}},"check":{"ttl":"5s","deregister_critical_service_after":"1m","args":["x"]}}', SERVICE_DEFINITION_SCHEMA);
    expect(d).toEqual({
      Name: 'a',
      Tags: ['x'],
      TaggedAddresses: { lan: { Address: '1.2.3.4', Port: 1 } },
      Check: { TTL: 5e9, DeregisterCriticalServiceAfter: 60e9, ScriptArgs: ['x'] },
    });
  });

  it('rejects unknown fields and wrong types with Go messages', () => {
    expect(() => decodeJson('{"Nope":1}', SERVICE_DEFINITION_SCHEMA)).toThrow(new DecodeError('json: unknown field "Nope"'));
    expect(() => decodeJson('{"Port":1.5}', SERVICE_DEFINITION_SCHEMA)).toThrow('json: cannot unmarshal number 1.5 into Go struct field ServiceDefinition.Port of type int');
    expect(() => decodeJson('{"Tags":"a"}', SERVICE_DEFINITION_SCHEMA)).toThrow('json: cannot unmarshal string into Go struct field ServiceDefinition.Tags of type []string');
    expect(() => decodeJson('{"Status":1}', CHECK_UPDATE_SCHEMA)).toThrow('json: cannot unmarshal number into Go struct field checkUpdate.Status of type string');
  });

  it('maps syntax errors to Go texts and treats null as empty', () => {
    expect(() => decodeJson('', SERVICE_DEFINITION_SCHEMA)).toThrow('EOF');
    expect(() => decodeJson('{"a":', SERVICE_DEFINITION_SCHEMA)).toThrow('unexpected EOF');
    expect(() => decodeJson('xyz', SERVICE_DEFINITION_SCHEMA)).toThrow("invalid character 'x' looking for beginning of value");
    expect(decodeJson('null', SERVICE_DEFINITION_SCHEMA)).toEqual({});
    expect(decodeJson('{"Name":null,"Check":{"TTL":true}}', SERVICE_DEFINITION_SCHEMA)).toEqual({ Check: {} });
  });
});

describe('trailing data', () => {
  it('ignores what follows the first JSON value, as json.Decoder does', () => {
    expect(decodeJson('{"Name":"a"} trailing', SERVICE_DEFINITION_SCHEMA)).toEqual({ Name: 'a' });
  });
});
